import { Argument as RawArgument, Option as RawOption, type Command as RawCommand } from 'commander';
// Types only: @commander-js/extra-typings is a devDependency (absent from an installed pikactl),
// and its run-time half is commander itself. Each command is declared once, on commander's
// objects, and these types read its options' names and value types off that declaration.
import type { Argument, Command, Option } from '@commander-js/extra-typings';

/** A command as extra-typings sees it: its options (and arguments) typed from the declaration. */
export type TypedCommand = Command<unknown[], Record<string, unknown>, Record<string, unknown>>;

/** commander's own Command, seen with extra-typings' types: `.option()` calls then build the options type. */
export function typed(parent: RawCommand): Command {
  return parent as unknown as Command;
}

/** `new Option(...)`, typed by its flags (choices, argParser and default narrow it further). */
export function option<Flags extends string>(flags: Flags, description?: string): Option<Flags> {
  return new RawOption(flags, description) as unknown as Option<Flags>;
}

/** `new Argument(...)`, typed by its name. */
export function argument<Usage extends string>(name: Usage, description?: string): Argument<Usage> {
  return new RawArgument(name, description) as unknown as Argument<Usage>;
}

/** The options object a declared command's action receives. */
export type OptionsOf<F extends (...a: never[]) => TypedCommandLike> = ReturnType<ReturnType<F>['opts']>;
interface TypedCommandLike {
  opts(): Record<string, unknown>;
}
