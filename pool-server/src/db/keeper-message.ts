/**
 * What the embedded database's keeper process (embedded-keeper.ts) tells the pool that
 * forked it (embedded.ts) over its IPC channel: a module of its own so that neither of
 * the two imports the other for it.
 */
export type KeeperMessage =
  | {
      readonly kind: 'ready';
      readonly url: string;
      readonly foldersOpened: readonly string[];
      readonly passwordChanged: boolean;
      readonly passwordFile: string;
    }
  | { readonly kind: 'failed'; readonly message: string };
