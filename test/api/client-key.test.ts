import { describe, expect, it } from 'vitest';
import { clientKey } from '../../api/client-key.js';

describe('clientKey (who a per-client limit counts)', () => {
  it('is the API key for an authorised caller, else the IPv4 address or the IPv6 /64', () => {
    expect(clientKey('10.1.2.3', true)).toBe('key');
    expect(clientKey('10.1.2.3', false)).toBe('ip:10.1.2.3');
    expect(clientKey('::ffff:10.1.2.3', false)).toBe('ip:10.1.2.3');
    expect(clientKey('2001:db8:0:0:1:2:3:4', false)).toBe('ip:2001:db8:0:0::/64');
    // Every address of one /64 is one client, however it is written.
    expect(clientKey('2001:0db8::ffff', false)).toBe('ip:2001:db8:0:0::/64');
    expect(clientKey('2001:db8::1%eth0', false)).toBe('ip:2001:db8:0:0::/64');
    expect(clientKey('2001:db8:0:1::1', false)).toBe('ip:2001:db8:0:1::/64');
    expect(clientKey('::1', false)).toBe('ip:0:0:0:0::/64');
    expect(clientKey(undefined, false)).toBe('ip:unknown');
  });
});
