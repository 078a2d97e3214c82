import { Address, BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts';

/**
 * Key lookup over GMX's `EventUtils.EventLogData`:
 * `(addressItems, uintItems, intItems, boolItems, bytes32Items, bytesItems, stringItems)`,
 * each `(items: (string key, T value)[], arrayItems: (string key, T[] value)[])`.
 *
 * Works on the plain `ethereum.Tuple` so the three generated event classes (EventLog,
 * EventLog1, EventLog2) share one decoder. Lookups are linear: GMX logs carry < 40 items.
 * The `get*` methods return null when the key is absent, so a mapping can read keys that only
 * some GMX versions emit; the `*Or` variants return a default instead.
 */
export class EventData {
  data: ethereum.Tuple;

  constructor(data: ethereum.Tuple) {
    this.data = data;
  }

  /** The `value` of the item named `key` in list `list` (0 address ... 6 string), or null. */
  private find(list: i32, key: string): ethereum.Value | null {
    const items = this.data[list].toTuple()[0].toArray();
    for (let i = 0; i < items.length; i++) {
      const item = items[i].toTuple();
      if (item[0].toString() == key) return item[1];
    }
    return null;
  }

  getAddress(key: string): Address | null {
    const v = this.find(0, key);
    return v === null ? null : v.toAddress();
  }

  getUint(key: string): BigInt | null {
    const v = this.find(1, key);
    return v === null ? null : v.toBigInt();
  }

  getInt(key: string): BigInt | null {
    const v = this.find(2, key);
    return v === null ? null : v.toBigInt();
  }

  getBool(key: string): ethereum.Value | null {
    return this.find(3, key);
  }

  getBytes32(key: string): Bytes | null {
    const v = this.find(4, key);
    return v === null ? null : v.toBytes();
  }

  getBytes(key: string): Bytes | null {
    const v = this.find(5, key);
    return v === null ? null : v.toBytes();
  }

  getString(key: string): string | null {
    const v = this.find(6, key);
    return v === null ? null : v.toString();
  }

  /** An address item; the zero address when absent. */
  addressOr(key: string): Address {
    const v = this.getAddress(key);
    return v === null ? Address.zero() : v;
  }

  /** A uint item; `fallback` when absent. */
  uintOr(key: string, fallback: BigInt): BigInt {
    const v = this.getUint(key);
    return v === null ? fallback : v;
  }

  /** An int item; `fallback` when absent. */
  intOr(key: string, fallback: BigInt): BigInt {
    const v = this.getInt(key);
    return v === null ? fallback : v;
  }

  /**
   * A number GMX logs as an int item in some events and a uint item in others
   * (e.g. `collateralDeltaAmount`: int in PositionIncrease, uint in PositionDecrease); null when absent.
   */
  getIntOrUint(key: string): BigInt | null {
    const i = this.getInt(key);
    if (i !== null) return i;
    return this.getUint(key);
  }

  /** A bool item; `fallback` when absent. */
  boolOr(key: string, fallback: boolean): boolean {
    const v = this.getBool(key);
    return v === null ? fallback : v.toBoolean();
  }

  /** A bytes32 item; 32 zero bytes when absent. */
  bytes32Or(key: string): Bytes {
    const v = this.getBytes32(key);
    return v === null ? Bytes.fromHexString('0x0000000000000000000000000000000000000000000000000000000000000000') : v;
  }
}
