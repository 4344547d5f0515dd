/** What a test asks the devchain's RPC server to do wrong, and to which calls. */
export interface RpcFaultPlan {
  /** Only calls of these methods are affected; all when absent. */
  readonly methods?: readonly string[];
  /** How many matching requests the plan affects; Infinity until cleared. */
  readonly count: number;
  /**
   * - 'unavailable': HTTP 503 with an empty body, answered at once without running the call:
   *   what a client sees of Core while it shuts down or with its work queue full (Core's own
   *   503s carry a short text or HTML body, never JSON; the devchain's full queue and shutdown
   *   send those).
   * - 'drop': the connection is destroyed without an answer and the call is NOT run: a
   *   submitblock so dropped never reaches the chain.
   * - 'drop-after': the call IS run, then the connection is destroyed without an answer: a
   *   submitblock so dropped is on the chain though the client never heard, and only
   *   getblockheader (or getblockhash) tells.
   * - 'slow': the call is run after delayMs, holding an RPC thread meanwhile, and answered.
   *   It runs whether or not the client is still there (Core never notices a client leaving),
   *   so a submitblock whose client timed out still reaches the chain delayMs after it came.
   *   A shutdown cuts the delay short.
   */
  readonly fault: 'unavailable' | 'drop' | 'drop-after' | 'slow';
  /** Required for 'slow'. */
  readonly delayMs?: number;
}

export interface DevRpcFaults {
  /** Plans apply in the order injected; a request takes the first matching plan with count left. */
  inject(plan: RpcFaultPlan): void;
  /** Removes every plan; `affected` keeps counting from where it was. */
  clear(): void;
  /** Requests each fault has affected so far, by method, e.g. { submitblock: 3 }. */
  readonly affected: Readonly<Record<string, number>>;
}

interface ActivePlan {
  readonly plan: RpcFaultPlan;
  left: number;
}

/** The fault plans of one RPC server. */
export class FaultPlans implements DevRpcFaults {
  #plans: ActivePlan[] = [];
  /** No prototype: a method is any string a client sends, "__proto__" included. */
  readonly #affected = Object.create(null) as Record<string, number>;

  get affected(): Readonly<Record<string, number>> {
    return this.#affected;
  }

  inject(plan: RpcFaultPlan): void {
    if (!(plan.count > 0)) {
      throw new RangeError(`a fault plan needs a count above 0, not ${String(plan.count)}`);
    }
    if (plan.fault === 'slow' && !(plan.delayMs !== undefined && plan.delayMs >= 0)) {
      throw new RangeError('a slow fault needs delayMs (0 or more)');
    }
    this.#plans.push({ plan, left: plan.count });
  }

  clear(): void {
    this.#plans = [];
  }

  /** The plan `method` falls under, counted as affected; undefined when none. */
  take(method: string): RpcFaultPlan | undefined {
    const active = this.#plans.find(
      (candidate) =>
        candidate.left > 0 &&
        (candidate.plan.methods === undefined || candidate.plan.methods.includes(method)),
    );
    if (!active) {
      return undefined;
    }
    active.left--;
    this.#affected[method] = (this.#affected[method] ?? 0) + 1;
    return active.plan;
  }
}
