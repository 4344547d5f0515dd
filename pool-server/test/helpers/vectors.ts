/**
 * Typed access to the real Bitcoin vectors in test/fixtures/vectors (copied from the
 * team's shared/vectors with their `source` fields; NOTES.md there says how each was
 * verified). Only the fields the tests read are typed.
 */
import { readFileSync } from 'node:fs';
import type { BlockTemplate } from '../../src/work/template.ts';

const VECTOR_DIR = new URL('../fixtures/vectors/', import.meta.url);

// The vectors are trusted test data: their shapes are declared below, not validated.
function load(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, VECTOR_DIR), 'utf8'));
}

export interface HeaderVector {
  id: string;
  header_hex: string;
  hash_display: string;
  hash_internal?: string;
  meets_nbits_target: boolean;
  fields?: {
    version: number;
    prev_hash_display: string;
    merkle_root_display: string;
    time: number;
    bits: string;
    nonce: number;
  };
}

export const headers = load('headers.json') as { vectors: HeaderVector[]; negative_vectors: HeaderVector[] };

export interface MerkleBlock {
  id: string;
  txids_display: string[];
  wtxids_display?: string[];
  merkle_root_internal: string;
  merkle_root_display: string;
  coinbase_merkle_branch_internal: string[];
  witness_commitment_script?: string;
  witness_root_internal?: string;
}

export const merkle = load('merkle.json') as {
  blocks: MerkleBlock[];
  branch_folds: {
    id: string;
    coinb1: string;
    extranonce1: string;
    extranonce2: string;
    coinb2: string;
    merkle_branch: string[];
    expected_merkle_root_internal: string;
  }[];
  getblocktemplate_to_branch: { id: string; txids_display: string[]; merkle_branch_internal: string[] }[];
};

export const merkle634026 = load('merkle-634026.json') as {
  txids_display: string[];
  merkle_root_internal: string;
  coinbase_merkle_branch_internal: string[];
};

export const targets = load('targets.json') as {
  difficulty_1: { target_hex: string; bits: string };
  nbits_to_target: { bits: string; target_hex: string }[];
  nbits_to_target_bitcoin_core_setcompact: {
    vectors: { bits: string; target_hex: string; negative: boolean; overflow: boolean }[];
  };
  nbits_to_difficulty: { bits: string; difficulty: number; tolerance?: number; computed?: number }[];
  share_difficulty_from_hash: { vectors: { case: string; hash_display: string; share_difficulty: number }[] };
  share_target_from_difficulty: { examples: { difficulty: number; target_hex: string }[] };
};

export interface ShareCase {
  id: string;
  subscribe: { extranonce1: string; extranonce2_size: number };
  notify: {
    job_id: string | null;
    prevhash: string;
    coinb1: string;
    coinb2: string;
    merkle_branch: string[];
    version: string;
    nbits: string;
    ntime: string | null;
  };
  submit: {
    worker: string | null;
    job_id: string | null;
    extranonce2: string;
    ntime: string;
    nonce: string;
    version_bits?: string;
  };
  version_mask?: string;
  expected: {
    coinbase_hex: string;
    coinbase_txid_internal: string;
    merkle_root_internal: string;
    prevhash_display: string;
    header_version_hex: string;
    header_hex: string;
    hash_internal: string;
    hash_display: string;
    share_difficulty: number;
    meets_network_target: boolean;
  };
  template_file?: string;
}

export const stratumShares = load('stratum-shares.json') as {
  cases: ShareCase[];
  header_level_shares: {
    id: string;
    inputs: {
      prevhash_stratum: string;
      merkle_root_internal: string;
      version: string;
      nbits: string;
      ntime: string;
      nonce: string;
    };
    expected: { header_hex: string; hash_display: string; share_difficulty: number };
  }[];
  mainnet_blocks_from_coinbase_and_branch: {
    blocks: {
      id: string;
      coinbase_tx_hex_stripped: string;
      coinbase_tx_hex_with_witness: string;
      coinbase_txid_display: string;
      merkle_branch_internal: string[];
      header_hex: string;
      merkle_root_internal: string;
      hash_display: string;
    }[];
  };
};

export const versionRolling = load('version-rolling.json') as {
  bip320_mask: { mask_hex: string };
  shares_with_version_bits: {
    case: string;
    job_version: string;
    version_bits: string;
    mask: string;
    header_version: string;
  }[];
  mainnet_version_rolled_blocks: {
    block: string;
    version_hex: string;
    base_outside_mask: string;
    rolled_bits_inside_mask: string;
  }[];
};

export interface TemplateVector {
  id: string;
  response: BlockTemplate;
  checks: {
    prevhash_stratum: string;
    merkle_branch_internal: string[];
    witness_root_internal: string;
    subsidy: number;
    fees: number;
  };
  /** The mining.notify another pool built from this template, when the source gives one. */
  notifyParams?: unknown[];
  blockHex?: string;
}

interface TemplateFile {
  response?: BlockTemplate;
  checks?: TemplateVector['checks'];
  pool_notify_for_this_template?: { params: unknown[] };
  templates?: {
    id: string;
    response: BlockTemplate;
    checks: TemplateVector['checks'];
    expected_notify_params?: unknown[];
    block_hex_asserted_by_source?: string;
  }[];
  jobs?: {
    id: string;
    response: BlockTemplate;
    checks: TemplateVector['checks'];
    ckpool_notify: { params: unknown[] };
  }[];
}

function templatesOf(file: string): TemplateVector[] {
  const data = load(`getblocktemplate/${file}`) as TemplateFile;
  if (data.jobs) {
    return data.jobs.map((job) => ({
      id: job.id,
      response: job.response,
      checks: job.checks,
      notifyParams: job.ckpool_notify.params,
    }));
  }
  if (data.templates) {
    return data.templates.map((template) => ({
      id: template.id,
      response: template.response,
      checks: template.checks,
      ...(template.expected_notify_params && { notifyParams: template.expected_notify_params }),
      ...(template.block_hex_asserted_by_source && { blockHex: template.block_hex_asserted_by_source }),
    }));
  }
  if (data.response && data.checks) {
    return [
      {
        id: file.replace('.json', ''),
        response: data.response,
        checks: data.checks,
        ...(data.pool_notify_for_this_template && {
          notifyParams: data.pool_notify_for_this_template.params,
        }),
      },
    ];
  }
  throw new Error(`${file} holds no templates`);
}

export const TEMPLATE_FILES = [
  'public-pool-testnet3-2442185.json',
  'ckpool-regtest-jobs.json',
  'p2poolv2-signet.json',
  'js2pool-regtest.json',
] as const;

export const templateVectors: TemplateVector[] = TEMPLATE_FILES.flatMap((file) =>
  templatesOf(file).map((vector) => ({ ...vector, id: `${file.replace('.json', '')}#${vector.id}` })),
);

/** The template a share case names in its `template_file` ("file.json#id" or "file.json"). */
export function templateForCase(shareCase: ShareCase): BlockTemplate | undefined {
  if (!shareCase.template_file) {
    return undefined;
  }
  const [path = '', id] = shareCase.template_file.split('#');
  const file = path.replace('getblocktemplate/', '').replace('.json', '');
  const key = id === undefined ? `${file}#${file}` : `${file}#${id}`;
  return templateVectors.find((vector) => vector.id === key)?.response;
}

export const witnessCommitments = load('getblocktemplate/witness-commitment.json') as {
  vectors: {
    id: string;
    commitment_script?: string;
    default_witness_commitment?: string;
    wtxids_display?: string[];
  }[];
};

export interface AddressVectors {
  valid: { address: string; chains: ('main' | 'test' | 'regtest')[]; type: string; script: string }[];
  invalid: { address: string; reason: string }[];
  notYetSpendable: { address: string; reason: string }[];
}

/** BIP-173/350 and bitcoinjs-lib address vectors, with the network each belongs to. */
export const addressVectors = load('addresses.json') as AddressVectors;
