import { prepareTemplate, type PreparedTemplate } from '../work/template.ts';
import type { RawTemplate, TemplateFeed, TemplateListener } from './template-source.ts';

/** What passes between the process that asks the node for templates and the Stratum processes. */
export type TemplateMessage =
  | { readonly kind: 'templates' }
  | { readonly kind: 'template'; readonly raw: RawTemplate; readonly newBlock: boolean };

/** One end of an IPC channel (a forked process, or the parent seen from one). */
export interface TemplateChannel {
  send(message: TemplateMessage): void;
  /** Calls `handler` with every message that arrives; the returned function stops it. */
  listen(handler: (message: unknown) => void): () => void;
}

function isMessage(message: unknown, kind: TemplateMessage['kind']): boolean {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === kind;
}

/**
 * The host's one template source shared by its Stratum processes: one longpoll, one
 * tip poll and one ZMQ subscription for all of them, where each would otherwise hold a
 * longpoll of its own and starve the node's RPC threads. A process asks ('templates')
 * and is sent the current template, then every new one.
 */
export class TemplateRelay {
  readonly #channels = new Set<TemplateChannel>();
  #last: Extract<TemplateMessage, { kind: 'template' }> | undefined;

  constructor(source: TemplateFeed) {
    source.onTemplate((_template, newBlock, raw) => {
      const message = { kind: 'template', raw, newBlock } as const;
      this.#last = message;
      for (const channel of this.#channels) {
        channel.send(message);
      }
    });
  }

  /** Serves templates on `channel` once it asks; the returned function stops serving it. */
  serve(channel: TemplateChannel): () => void {
    const unlisten = channel.listen((message) => {
      if (!isMessage(message, 'templates') || this.#channels.has(channel)) {
        return;
      }
      this.#channels.add(channel);
      if (this.#last) {
        // The first template a process sees starts its first block.
        channel.send({ ...this.#last, newBlock: true });
      }
    });
    return () => {
      unlisten();
      this.#channels.delete(channel);
    };
  }
}

/** A Stratum process's templates, as its host's TemplateRelay sends them. */
export class RelayedTemplateSource implements TemplateFeed {
  readonly #channel: TemplateChannel;
  readonly #onProblem: (problem: unknown) => void;
  readonly #listeners: TemplateListener[] = [];
  #current: PreparedTemplate | undefined;
  #unlisten: (() => void) | undefined;

  /** `onProblem`: a template that could not be prepared (the previous one stays current). */
  constructor(channel: TemplateChannel, onProblem: (problem: unknown) => void) {
    this.#channel = channel;
    this.#onProblem = onProblem;
  }

  get current(): PreparedTemplate | undefined {
    return this.#current;
  }

  onTemplate(listener: TemplateListener): void {
    this.#listeners.push(listener);
  }

  start(): Promise<PreparedTemplate> {
    return new Promise((resolve) => {
      this.#unlisten = this.#channel.listen((message) => {
        if (!isMessage(message, 'template')) {
          return;
        }
        const { raw, newBlock } = message as Extract<TemplateMessage, { kind: 'template' }>;
        let template: PreparedTemplate;
        try {
          template = prepareTemplate(raw);
        } catch (error) {
          this.#onProblem(error);
          return;
        }
        const first = this.#current === undefined;
        this.#current = template;
        for (const listener of this.#listeners) {
          listener(template, newBlock || first, raw);
        }
        if (first) {
          resolve(template);
        }
      });
      this.#channel.send({ kind: 'templates' });
    });
  }

  stop(): void {
    this.#unlisten?.();
  }
}
