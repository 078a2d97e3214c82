import { Address } from '@graphprotocol/graph-ts';

/** Symbol and decimals of a GMX synthetic index token. */
export class SyntheticToken {
  symbol: string;
  decimals: i32;
  constructor(symbol: string, decimals: i32) {
    this.symbol = symbol;
    this.decimals = decimals;
  }
}

/**
 * GMX synthetic index tokens on Arbitrum One: addresses with no ERC-20 contract, so nothing on
 * chain says their decimals (the oracle's price feed multiplier bakes them in). A documented,
 * dated snapshot: every `synthetic: true` entry of `config/tokens.ts` (arbitrum) of
 * gmx-io/gmx-synthetics at commit a5c0c883 (2026-03-13), its address derived as the contracts'
 * deploy scripts do (`utils/token.ts` getSyntheticTokenAddress: the last 20 bytes of
 * keccak256(abi.encode(uint256 42161, string symbol))). Every other token's decimals and symbol
 * are read from its contract.
 */
export function syntheticToken(address: Address): SyntheticToken | null {
  const a = address.toHexString();
  if (a == '0x47904963fc8b2340414262125af798b9655e58cd') return new SyntheticToken('BTC', 8);
  if (a == '0xc14e065b0067de91534e032868f5ac6ecf2c6868') return new SyntheticToken('XRP', 6);
  if (a == '0xc4da4c24fd591125c3f47b340b6f4f76111883d8') return new SyntheticToken('DOGE', 8);
  if (a == '0x3e57d02f9d196873e55727382974b02edebe6bfd') return new SyntheticToken('SHIB', 18);
  if (a == '0xbaf07cf91d413c0acb2b7444b9bf13b4e03c9d71') return new SyntheticToken('STX', 6);
  if (a == '0x2cd2eb61d17b78239fcd19aaff72981b5d5ef319') return new SyntheticToken('SATS', 6);
  if (a == '0xb46a094bc4b0adbd801e14b9db95e05e28962764') return new SyntheticToken('LTC', 8);
  if (a == '0x7d7f1765acbaf847b9a1f7137fe8ed4931fbfeba') return new SyntheticToken('ATOM', 6);
  if (a == '0x1ff7f3efbb9481cbd7db4f932cbcd4467144237c') return new SyntheticToken('NEAR', 24);
  if (a == '0x9c74772b713a1b032aeb173e28683d937e51921c') return new SyntheticToken('POL', 18);
  if (a == '0x197aa2de1313c7ad50184234490e12409b2a1f95') return new SyntheticToken('SUI', 9);
  if (a == '0x55e85a147a1029b985384822c0b2262df8023452') return new SyntheticToken('SEI', 18);
  if (a == '0x3f8f0dce4dce4d0d1d0871941e79cda82ca50d0b') return new SyntheticToken('APT', 8);
  if (a == '0x38676f62d166f5ce7de8433f51c6b3d6d9d66c19') return new SyntheticToken('TIA', 6);
  if (a == '0xb06aa7e4af937c130ddade66f6ed7642716fe07a') return new SyntheticToken('TRX', 6);
  if (a == '0x938aef36caafbcb37815251b602168087ec14648') return new SyntheticToken('TAO', 9);
  if (a == '0x1fd10e767187a92f0ab2abdeef4505e319ca06b2') return new SyntheticToken('BONK', 5);
  if (a == '0x75b9add873641b253718810e6c65db6d72311fd0') return new SyntheticToken('WLD', 18);
  if (a == '0xb2f7cefaeeb08aa347705ac829a7b8be2fb560f3') return new SyntheticToken('TON', 9);
  if (a == '0x3eea56a1cccdbfb70a26ad381c71ee17e4c8a15f') return new SyntheticToken('BOME', 6);
  if (a == '0xaf770f03518686a365300ab35ad860e99967b2f0') return new SyntheticToken('MEME', 18);
  if (a == '0x6792c5b8962ffbdd020c6b6fd0be7b182e0e33a3') return new SyntheticToken('FLOKI', 9);
  if (a == '0x5503cf72f54b6d692d36bbcd391516a7de068687') return new SyntheticToken('MEW', 5);
  if (a == '0x53186c8419beb83fe4da74f7875041a1287337ed') return new SyntheticToken('ADA', 6);
  if (a == '0xc5dbd52ae5a927cf585b884011d0c7631c9974c6') return new SyntheticToken('XLM', 7);
  if (a == '0xc33d9c096e74aa4f571e9417b69a19c4a1e72ef2') return new SyntheticToken('BCH', 8);
  if (a == '0xe958f107b467d5172573f761d26931d658c1b436') return new SyntheticToken('DOT', 10);
  if (a == '0xdaf0a71608938f762e37ec5f72f670cc44703454') return new SyntheticToken('ICP', 8);
  if (a == '0x82bb89fcc64c5d4016c5ed1ab016bb0d1c20d6c3') return new SyntheticToken('RENDER', 18);
  if (a == '0x3aebb98f57081dcbeb0b8ea823cf84900a31e5d8') return new SyntheticToken('FIL', 18);
  if (a == '0xfde73eddbe6c5712a12b72c470f8fe5c77a7ff17') return new SyntheticToken('INJ', 18);
  if (a == '0x0739ad7aea69ad36edeb91b0e55cac140427c632') return new SyntheticToken('DYDX', 18);
  if (a == '0x30021afa4767ad66aa52a06df8a5ab3aca9371fd') return new SyntheticToken('TRUMP', 6);
  if (a == '0xfa4f8e582214ebce1a08eb2a65e08082053e441f') return new SyntheticToken('MELANIA', 6);
  if (a == '0xfe1aac2cd9c5cc77b58eecfe75981866ed0c8b7a') return new SyntheticToken('ENA', 18);
  if (a == '0xaca341e61ab6177b0b0df46a612e4311f8a7605f') return new SyntheticToken('FARTCOIN', 6);
  if (a == '0xbb69bd9dc152c2c0f083507641a46193d2b61ebb') return new SyntheticToken('AI16Z', 9);
  if (a == '0x9d678b4dd38a6e01df8090aeb7974ad71142b05f') return new SyntheticToken('LDO', 18);
  if (a == '0x67adabbad211ea9b3b4e2fd0fd165e593de1e983') return new SyntheticToken('BERA', 18);
  if (a == '0xb6672496214c90134a9223894e709f26a5eed362') return new SyntheticToken('VIRTUAL', 18);
  if (a == '0x4c1dac9b6eaf122fe3de824c1c2220413f3ac197') return new SyntheticToken('PENGU', 6);
  if (a == '0xecfb4718ad19b626a77491895a2f99ea0ceded08') return new SyntheticToken('ONDO', 18);
  if (a == '0x83d5944e7f5ef1d8432002d3cb062e1012f6f8e6') return new SyntheticToken('FET', 18);
  if (a == '0x8f6ccb99d4fd0b4095915147b5ae3bbdb8075394') return new SyntheticToken('S', 18);
  if (a == '0x580b373ac16803bb0133356f470f3c7eef54151b') return new SyntheticToken('CAKE', 18);
  if (a == '0xca543cb8bcc76e4e0a034f56eb40a1029bdfd70e') return new SyntheticToken('AIXBT', 18);
  if (a == '0xfdfa0a749da3bccee20ae0b4ad50e39b26f58f7c') return new SyntheticToken('HYPE', 8);
  if (a == '0xfed500df379427fbc48bdaf3b511b519c7eccd26') return new SyntheticToken('JUP', 6);
  if (a == '0x8904de84c3bb3b7d2383f934af40fcb3ef82f28b') return new SyntheticToken('MKR', 18);
  if (a == '0x1f3407ea067dfbdf6deb6bbfda4869215fb0ab77') return new SyntheticToken('OM', 18);
  if (a == '0x97ce1f309b949f7fbc4f58c5cb6aa417a5ff8964') return new SyntheticToken('DOLO', 18);
  if (a == '0xa8193c55c34ed22e1dbe73fd5adc668e51578a67') return new SyntheticToken('ZRO', 18);
  if (a == '0xe5f01aeacc8288e9838a60016ab00d7b6675900b') return new SyntheticToken('CRV', 18);
  if (a == '0xd3898c6570974aeca38a8acf22fd60739e528a99') return new SyntheticToken('MOODENG', 6);
  if (a == '0x13674172e6e44d31d4be489d5184f3457c40153a') return new SyntheticToken('XMR', 12);
  if (a == '0xd1738d37401a0a71f7e382d2cfecd3ab69687017') return new SyntheticToken('PI', 18);
  if (a == '0x9c060b2fa953b5f69879a8b7b81f62bffef360be') return new SyntheticToken('PUMP', 18);
  if (a == '0x955cd91eeae618f5a7b49e1e3c7482833b10dab4') return new SyntheticToken('MNT', 18);
  if (a == '0xb736be525a65326513351058427d1f47b0cfb045') return new SyntheticToken('SPX6900', 8);
  if (a == '0x72cd3a21aa7a898028d9501868fbe6ded0020434') return new SyntheticToken('ALGO', 6);
  if (a == '0xeb2a83b973f4dbb9511d92dd40d2ba4c683f0971') return new SyntheticToken('HBAR', 8);
  if (a == '0xb7efe7c7f059e84ab87a83a169c583fb4a54fac3') return new SyntheticToken('CRO', 8);
  if (a == '0x3b6f801c0052dfe0ac80287d611f31b7c47b9a6b') return new SyntheticToken('CVX', 18);
  if (a == '0x91c6a8f6afac036f4abf1ba55f4e76892e865e4a') return new SyntheticToken('KAS', 8);
  if (a == '0xd37f01a3379f052fef70f63c0be27931891aa2b9') return new SyntheticToken('OKB', 18);
  if (a == '0xecc5eb985ddbb8335b175b0a2a1144e4c978f1f6') return new SyntheticToken('AERO', 18);
  if (a == '0x4249f6e0808beff7368aaad3f7a3fd511f61ee60') return new SyntheticToken('BRETT', 18);
  if (a == '0xc5ff0eb026db972f95df3dff04e697d8b660092a') return new SyntheticToken('ZORA', 18);
  if (a == '0x96ee343e36e8642627faea235d57a9fec8a6e34f') return new SyntheticToken('KTA', 18);
  if (a == '0xc5799ab6e2818fd8d0788db8d156b0c5db1bf97b') return new SyntheticToken('WLFI', 18);
  if (a == '0x465a31e5ba29b8eacc860d499d714a6f07e56e85') return new SyntheticToken('WELL', 18);
  if (a == '0xb79eb5ba64a167676694bb41bc1640f95d309a2f') return new SyntheticToken('VVV', 18);
  if (a == '0xf67b2a901d674b443fa9f6db2a689b37c07fd4fe') return new SyntheticToken('MORPHO', 18);
  if (a == '0x1e15d08f3ca46853b692ee28ae9c7a0b88a9c994') return new SyntheticToken('ORDI', 18);
  if (a == '0x2e73bdbee83d91623736d514b0bb41f2afd9c7fd') return new SyntheticToken('XPL', 18);
  if (a == '0x2aab60e62f05d17e58dec982870bfadc7f4e7adf') return new SyntheticToken('ASTER', 18);
  if (a == '0x95c317066cf214b2e6588b2685d949384504f51e') return new SyntheticToken('0G', 18);
  if (a == '0xdb58eb7f408eba2176ecb44a4696292605cceb39') return new SyntheticToken('AVNT', 18);
  if (a == '0xc4017cfe7d7eabde63d3252cabf26a286fe2b1e0') return new SyntheticToken('LINEA', 18);
  return null;
}
