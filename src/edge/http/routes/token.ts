import { adminOf } from "../auth";
import type { Handlers } from "../handler";

/** Who is calling: the token's name and scope, so a console can offer only what it may do. */
export const tokenHandlers: Handlers<"whoami"> = {
  whoami: async (_, call) => adminOf(call),
};
