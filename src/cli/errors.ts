/** What `expctl` exits with; `expctl --help` lists them. */
export const EXIT = {
  ok: 0,
  /** The API refused (its `code: detail` is printed), or `apply` planned an impossible step. */
  refused: 1,
  /** The command line, or the file it names, is wrong. */
  usage: 2,
  /** The Worker could not be reached, or did not answer in time. */
  unreachable: 3,
} as const;

/** A mistake in the command line or in a file it names: exit 2, nothing sent. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
