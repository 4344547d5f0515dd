/**
 * Every message of the Common, Mining and Job Declaration protocols this pool speaks, as
 * data: message type, channel_msg bit and the fields in wire order with their types, named
 * exactly as the specification's tables name them. One generic codec (`message-codec.ts`)
 * reads and writes them all.
 *
 * Numbers: sv2-spec 08-Message-Types.md (github.com/stratum-mining/sv2-spec@f15b426a:
 * 08-Message-Types.md) with sv2-spec PR #196 (merged 2026-05-12), which set channel_msg on
 * NewMiningJob and SetCustomMiningJob(.Success/.Error) and cleared it on PushSolution (the Job
 * Declaration protocol never sets it). Peers built before that PR send the older bits; the
 * decoder goes by message type alone, so both are read.
 *
 * Fields: 03-Protocol-Overview.md 3.6, 05-Mining-Protocol.md 5.3 (@83799d3c) and
 * 06-Job-Declaration-Protocol.md 6.4 (@fb9cab85).
 */
import {
  B0_255,
  B0_16M,
  B0_32,
  B0_64K,
  BOOL,
  F32,
  option,
  seq0_255,
  seq0_64k,
  STR0_255,
  U16,
  U256,
  U32,
  U64,
  U8,
  type Codec,
  type CodecValue,
} from './binary.ts';

export type Sv2Protocol = 'common' | 'mining' | 'job-declaration';

/** A field as the spec's tables give it: its name and its type. */
export type FieldSpec = readonly [name: string, codec: Codec<unknown>];

export interface MessageSpec<F extends readonly FieldSpec[] = readonly FieldSpec[]> {
  readonly msgType: number;
  /** [sv2 3.2] Set in the frame's extension_type; the payload then starts with channel_id. */
  readonly channelMsg: boolean;
  readonly protocol: Sv2Protocol;
  readonly fields: F;
}

function message<const F extends readonly FieldSpec[]>(
  protocol: Sv2Protocol,
  msgType: number,
  channelMsg: boolean,
  fields: F,
): MessageSpec<F> {
  return { protocol, msgType, channelMsg, fields };
}

/** [sv2 5.3.2] The fields OpenExtendedMiningChannel repeats before its own. */
const OPEN_CHANNEL_FIELDS = [
  ['request_id', U32],
  ['user_identity', STR0_255],
  ['nominal_hash_rate', F32],
  ['max_target', U256],
] as const;

/** [sv2 5.3.11] The fields SubmitSharesExtended repeats before its extranonce. */
const SUBMIT_FIELDS = [
  ['channel_id', U32],
  ['sequence_number', U32],
  ['job_id', U32],
  ['nonce', U32],
  ['ntime', U32],
  ['version', U32],
] as const;

export const MESSAGE_SPECS = {
  // [sv2 3.6] Common protocol.
  SetupConnection: message('common', 0x00, false, [
    ['protocol', U8],
    ['min_version', U16],
    ['max_version', U16],
    ['flags', U32],
    ['endpoint_host', STR0_255],
    ['endpoint_port', U16],
    ['vendor', STR0_255],
    ['hardware_version', STR0_255],
    ['firmware', STR0_255],
    ['device_id', STR0_255],
  ]),
  'SetupConnection.Success': message('common', 0x01, false, [
    ['used_version', U16],
    ['flags', U32],
  ]),
  'SetupConnection.Error': message('common', 0x02, false, [
    ['flags', U32],
    ['error_code', STR0_255],
  ]),
  ChannelEndpointChanged: message('common', 0x03, true, [['channel_id', U32]]),
  Reconnect: message('common', 0x04, false, [
    ['new_host', STR0_255],
    ['new_port', U16],
  ]),

  // [sv2 5.3] Mining protocol.
  OpenStandardMiningChannel: message('mining', 0x10, false, OPEN_CHANNEL_FIELDS),
  'OpenStandardMiningChannel.Success': message('mining', 0x11, false, [
    ['request_id', U32],
    ['channel_id', U32],
    ['target', U256],
    ['extranonce_prefix', B0_32],
    ['group_channel_id', U32],
  ]),
  'OpenMiningChannel.Error': message('mining', 0x12, false, [
    ['request_id', U32],
    ['error_code', STR0_255],
  ]),
  OpenExtendedMiningChannel: message('mining', 0x13, false, [
    ...OPEN_CHANNEL_FIELDS,
    ['min_extranonce_size', U16],
  ]),
  'OpenExtendedMiningChannel.Success': message('mining', 0x14, false, [
    ['request_id', U32],
    ['channel_id', U32],
    ['target', U256],
    ['extranonce_size', U16],
    ['extranonce_prefix', B0_32],
    ['group_channel_id', U32],
  ]),
  NewMiningJob: message('mining', 0x15, true, [
    ['channel_id', U32],
    ['job_id', U32],
    ['min_ntime', option(U32)],
    ['version', U32],
    ['merkle_root', U256],
  ]),
  UpdateChannel: message('mining', 0x16, true, [
    ['channel_id', U32],
    ['nominal_hash_rate', F32],
    ['maximum_target', U256],
  ]),
  'UpdateChannel.Error': message('mining', 0x17, true, [
    ['channel_id', U32],
    ['error_code', STR0_255],
  ]),
  CloseChannel: message('mining', 0x18, true, [
    ['channel_id', U32],
    ['reason_code', STR0_255],
  ]),
  SetExtranoncePrefix: message('mining', 0x19, true, [
    ['channel_id', U32],
    ['extranonce_prefix', B0_32],
  ]),
  SubmitSharesStandard: message('mining', 0x1a, true, SUBMIT_FIELDS),
  SubmitSharesExtended: message('mining', 0x1b, true, [...SUBMIT_FIELDS, ['extranonce', B0_32]]),
  'SubmitShares.Success': message('mining', 0x1c, true, [
    ['channel_id', U32],
    ['last_sequence_number', U32],
    ['new_submits_accepted_count', U32],
    ['new_shares_sum', U64],
  ]),
  'SubmitShares.Error': message('mining', 0x1d, true, [
    ['channel_id', U32],
    ['sequence_number', U32],
    ['error_code', STR0_255],
  ]),
  // 0x1e is reserved (the old NewExtendedMiningJob number).
  NewExtendedMiningJob: message('mining', 0x1f, true, [
    ['channel_id', U32],
    ['job_id', U32],
    ['min_ntime', option(U32)],
    ['version', U32],
    ['version_rolling_allowed', BOOL],
    ['merkle_path', seq0_255(U256)],
    ['coinbase_tx_prefix', B0_64K],
    ['coinbase_tx_suffix', B0_64K],
  ]),
  SetNewPrevHash: message('mining', 0x20, true, [
    ['channel_id', U32],
    ['job_id', U32],
    ['prev_hash', U256],
    ['min_ntime', U32],
    ['nbits', U32],
  ]),
  SetTarget: message('mining', 0x21, true, [
    ['channel_id', U32],
    ['maximum_target', U256],
  ]),
  SetCustomMiningJob: message('mining', 0x22, true, [
    ['channel_id', U32],
    ['request_id', U32],
    ['mining_job_token', B0_255],
    ['version', U32],
    ['prev_hash', U256],
    ['min_ntime', U32],
    ['nbits', U32],
    ['coinbase_tx_version', U32],
    ['coinbase_prefix', B0_255],
    ['coinbase_tx_input_nSequence', U32],
    ['coinbase_tx_outputs', B0_64K],
    ['coinbase_tx_locktime', U32],
    ['merkle_path', seq0_255(U256)],
  ]),
  'SetCustomMiningJob.Success': message('mining', 0x23, true, [
    ['channel_id', U32],
    ['request_id', U32],
    ['job_id', U32],
  ]),
  'SetCustomMiningJob.Error': message('mining', 0x24, true, [
    ['channel_id', U32],
    ['request_id', U32],
    ['error_code', STR0_255],
  ]),
  SetGroupChannel: message('mining', 0x25, false, [
    ['group_channel_id', U32],
    ['channel_ids', seq0_64k(U32)],
  ]),

  // [sv2 6.4] Job Declaration protocol.
  AllocateMiningJobToken: message('job-declaration', 0x50, false, [
    ['user_identifier', STR0_255],
    ['request_id', U32],
  ]),
  'AllocateMiningJobToken.Success': message('job-declaration', 0x51, false, [
    ['request_id', U32],
    ['mining_job_token', B0_255],
    ['coinbase_tx_outputs', B0_64K],
  ]),
  ProvideMissingTransactions: message('job-declaration', 0x55, false, [
    ['request_id', U32],
    ['unknown_tx_position_list', seq0_64k(U16)],
  ]),
  'ProvideMissingTransactions.Success': message('job-declaration', 0x56, false, [
    ['request_id', U32],
    ['transaction_list', seq0_64k(B0_16M)],
  ]),
  DeclareMiningJob: message('job-declaration', 0x57, false, [
    ['request_id', U32],
    ['mining_job_token', B0_255],
    ['version', U32],
    ['coinbase_tx_prefix', B0_64K],
    ['coinbase_tx_suffix', B0_64K],
    ['wtxid_list', seq0_64k(U256)],
    ['excess_data', B0_64K],
  ]),
  'DeclareMiningJob.Success': message('job-declaration', 0x58, false, [
    ['request_id', U32],
    ['new_mining_job_token', B0_255],
  ]),
  'DeclareMiningJob.Error': message('job-declaration', 0x59, false, [
    ['request_id', U32],
    ['error_code', STR0_255],
    ['error_details', B0_64K],
  ]),
  // The spec's order (nonce before ntime). The reference implementation's job_declaration_sv2
  // (stratum-mining/stratum@0afcde24, push_solution.rs) declares ntime before nonce; the two
  // are both U32, so a peer built on it swaps them. The spec is followed here.
  PushSolution: message('job-declaration', 0x60, false, [
    ['extranonce', B0_32],
    ['prev_hash', U256],
    ['nonce', U32],
    ['ntime', U32],
    ['nbits', U32],
    ['version', U32],
  ]),
} as const;

export type MessageName = keyof typeof MESSAGE_SPECS;

type FieldValues<F extends readonly FieldSpec[]> = {
  -readonly [E in F[number] as E[0]]: CodecValue<E[1]>;
};

/** A message of one type: `type` names it, the other keys are its fields. */
export type MessageOf<N extends MessageName> = { readonly type: N } & FieldValues<
  (typeof MESSAGE_SPECS)[N]['fields']
>;

export type Sv2Message = { [N in MessageName]: MessageOf<N> }[MessageName];
