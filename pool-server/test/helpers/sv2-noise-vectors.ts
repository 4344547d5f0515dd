/**
 * Typed access to the published vectors in test/fixtures/sv2-noise (BIP324, BIP340, the
 * Stratum V2 specification and reference implementation, Noise's cacophony); each file
 * names its `source`. Only the fields the tests read are typed.
 */
import { readFileSync } from 'node:fs';

const DIR = new URL('../fixtures/sv2-noise/', import.meta.url);

// The vectors are trusted test data: their shapes are declared below, not validated.
function load(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));
}

export const ellSwiftDecode = load('bip324-ellswift-decode.json') as {
  vectors: { ellswift: string; x: string }[];
};

export const xSwiftEcInverse = load('bip324-xswiftec-inv.json') as {
  vectors: { u: string; x: string; t: (string | null)[] }[];
};

export const packetEcdh = load('bip324-packet-ecdh.json') as {
  vectors: {
    in_idx: number;
    in_priv_ours: string;
    in_ellswift_ours: string;
    in_ellswift_theirs: string;
    in_initiating: boolean;
    mid_x_ours: string;
    mid_x_shared: string;
    mid_shared_secret: string;
  }[];
};

export const schnorrVectors = load('bip340-vectors.json') as {
  vectors: {
    index: number;
    secretKey: string | null;
    publicKey: string;
    auxRand: string | null;
    message: string;
    signature: string;
    valid: boolean;
    comment: string;
  }[];
};

export const sv2Spec = load('sv2-spec.json') as {
  authorityKey: { rawPublicKey: string; base58check: string };
  protocolName: { name: string; sha256: string };
};

export const noiseNn = load('noise-nn-25519-chachapoly-sha256.json') as {
  protocol_name: string;
  init_prologue: string;
  init_ephemeral: string;
  resp_prologue: string;
  resp_ephemeral: string;
  handshake_hash: string;
  messages: { payload: string; ciphertext: string }[];
};
