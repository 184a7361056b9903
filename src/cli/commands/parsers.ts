import { InvalidArgumentError } from "commander";
import { UsageError } from "../errors";

/**
 * A pure parser from `../args` as a commander option or argument parser: its
 * `UsageError` becomes commander's `InvalidArgumentError`, so the message names the
 * option or argument it came from.
 */
export function one<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      if (error instanceof UsageError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

/** Like {@link one}, for a repeatable option or a variadic argument: the values collected in order. */
export function many<T>(parse: (text: string) => T): (text: string, previous: T[] | undefined) => T[] {
  const single = one(parse);
  return (text, previous) => [...(previous ?? []), single(text)];
}
