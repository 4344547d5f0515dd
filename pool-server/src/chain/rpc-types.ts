/** The fields hashwatt reads of bitcoind's RPC results (Bitcoin Core's RPC documentation). */

export interface BlockchainInfo {
  readonly chain: string;
  readonly blocks: number;
  readonly headers: number;
  readonly bestblockhash: string;
  readonly difficulty: number;
  readonly initialblockdownload: boolean;
  readonly verificationprogress: number;
}

export interface BlockHeaderInfo {
  readonly hash: string;
  /** -1 when the block is not on the best chain. */
  readonly confirmations: number;
  readonly height: number;
  readonly previousblockhash?: string;
}

export interface MiningInfo {
  readonly blocks: number;
  readonly difficulty: number;
  readonly networkhashps: number;
  readonly chain: string;
}

export interface NetworkInfo {
  readonly version: number;
  readonly subversion: string;
  readonly connections: number;
}

export interface ValidateAddressResult {
  readonly isvalid: boolean;
  readonly address?: string;
  readonly scriptPubKey?: string;
}

/** [getchaintips] one branch's tip; `active` is the best chain's. */
export interface ChainTip {
  readonly height: number;
  readonly hash: string;
  readonly branchlen: number;
  readonly status: 'active' | 'valid-fork' | 'valid-headers' | 'headers-only' | 'invalid';
}

/** [getaddressinfo] what the wallet knows of an address. */
export interface AddressInfo {
  readonly address: string;
  readonly scriptPubKey: string;
  /** The wallet holds the keys: it can spend what is paid to the address. */
  readonly ismine: boolean;
  readonly iswatchonly?: boolean;
}
