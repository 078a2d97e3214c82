/**
 * DataStore base keys the liquidation rule reads, as Config's `SetUint` logs them:
 * keccak256(abi.encode("<NAME>")) (gmx-synthetics contracts/data/Keys.sol), mapped to the
 * name MarketConfigUpdate.key carries. Computed with keccak-256 over the ABI encoding of the
 * string (offset, length, padded bytes), as Solidity's abi.encode does.
 */
export function configKeyName(baseKey: string): string {
  if (baseKey == '0xc1c82b94002bf5bd86480807e32ee86f3d83d38b2853b1e48546acc11884eebd') return 'minCollateralFactorForLiquidation';
  if (baseKey == '0x60c6f7a6820f7b274465f97450f5ba86cedd20f28f1cd3690510968ab87a0f8c') return 'maxPositionImpactFactorForLiquidations';
  if (baseKey == '0x9fc265ee9783e670a7a731141f58b59bca5a260ba3eb3f893412fb613dc559f7') return 'minCollateralFactor';
  if (baseKey == '0x6497f0f2c47edc68f06ede1c06d3475f939eb1a8341362460277bcd8ee7419f4') return 'minCollateralUsd';
  if (baseKey == '0x3999256650a6ebfea3dfbd4d56990f4d9048943a0e38ea6aabfc65122556c342') return 'positionFeeFactor';
  if (baseKey == '0x8d25c5b55501c0bb1657a27730a272059c9a87bbf03ea76434f679bfef179e73') return 'fundingFactor';
  if (baseKey == '0xa38d85dceca084ba5b76ea9a3020c5536fb5cf7455ef13366c4f4ad20d24b3c2') return 'borrowingFactor';
  return '';
}
