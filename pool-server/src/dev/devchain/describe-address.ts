/**
 * [Bitcoin Core src/rpc/util.cpp: DescribeAddress] the script-shape fields validateaddress and
 * getaddressinfo share, from the output script an address pays.
 */
export function describeAddress(script: Buffer): Record<string, unknown> {
  const first = script[0] ?? 0;
  // OP_0 or OP_1..OP_16 then a push: a witness program ([BIP141], [BIP341]).
  const witnessVersion = first === 0x00 ? 0 : first >= 0x51 && first <= 0x60 ? first - 0x50 : undefined;
  return {
    // P2SH, P2WSH and P2TR are scripts; P2PKH and P2WPKH are keys.
    isscript: first === 0xa9 || (witnessVersion !== undefined && script.length === 34),
    iswitness: witnessVersion !== undefined,
    ...(witnessVersion !== undefined && {
      witness_version: witnessVersion,
      witness_program: script.subarray(2).toString('hex'),
    }),
  };
}
