import type { ExperimentsRpc } from "./entrypoint";

export type {
  AssignManyAnswer,
  AssignmentAnswer,
  AssignOptions,
  ExperimentsApi,
  TrackAnswer,
  TrackedEventInput,
  WithStickyToken,
} from "./contract";
export { ExperimentsRpc } from "./entrypoint";

/**
 * A consumer Worker's binding to the assignment Worker's RPC entrypoint.
 *
 * @example
 * interface Env { EXPERIMENTS: ExperimentsService }
 * const answer = await env.EXPERIMENTS.assign("checkout_v2", "user:1");
 */
export type ExperimentsService = Service<ExperimentsRpc>;
