import { invalidRequest } from "../../../api/problems";
import type { EventTracker } from "../../events/tracker";
import { presentedActor } from "../actor-id";
import { cookiesAllowed } from "../cors";
import type { Handlers } from "../handler";
import { refuseQueryInput } from "../query";
import { Reply } from "../reply";

/**
 * `POST /v1/track`: an actor's events, queued for the consumer to attribute. No Durable
 * Object call on the request's path; the answer says only that they were queued.
 */
export function trackHandlers(tracker: EventTracker): Handlers<"track"> {
  return {
    track: async ({ body }, { request, env, ctx, query }) => {
      refuseQueryInput(query, "POST /v1/track");
      const actor = presentedActor(request, body.actor, cookiesAllowed(request, env));
      // A visitor with no id was never assigned: nothing its events could count for.
      if (actor === null) {
        throw invalidRequest("no actor: give 'actor' in the body, an X-Actor-Id header or the exp_actor cookie", [
          { pointer: "/actor", detail: "required without an X-Actor-Id header or an exp_actor cookie" },
        ]);
      }
      const accepted = tracker.track(env, ctx, actor, body.events);
      return new Reply({ accepted }, 202);
    },
  };
}
