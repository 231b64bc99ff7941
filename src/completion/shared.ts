import { allCommands, type FlagSpec, type ProgramSpec, type ValueHint } from './model.js';

// ---- shared table builders: each shell gets the same facts as `case` arms ----

export const HEADER = (shell: string) =>
  `Generated from pikactl's command tree by \`npm run gen\` (same text as \`pikactl completion ${shell}\`); do not edit.`;

/** "path|word" -> canonical child name, for every subcommand name and alias. */
export function childArms(spec: ProgramSpec): Array<[string, string]> {
  return allCommands(spec).flatMap((c) =>
    c.commands.flatMap((s) =>
      [s.name, ...s.aliases].map((w): [string, string] => [`${c.path.join(' ')}|${w}`, s.name]),
    ),
  );
}

/** A value hint as words a shell function hands to its value completer. */
export function hintWords(h: ValueHint): string[] {
  return h.kind === 'choices' ? ['choices', ...h.values] : [h.kind];
}

/** "path|flag" -> hint words, for every flag that takes a value ("*|flag" for globals). */
export function valueArms(spec: ProgramSpec): Array<[string, string[]]> {
  const arms: Array<[string, string[]]> = [];
  for (const c of allCommands(spec)) {
    for (const f of c.flags)
      if (f.value) for (const n of names(f)) arms.push([`${c.path.join(' ')}|${n}`, hintWords(f.value.hint)]);
  }
  for (const f of spec.globals) if (f.value) for (const n of names(f)) arms.push([`*|${n}`, hintWords(f.value.hint)]);
  return arms;
}

/** "path|index" -> hint words for positional arguments that complete to something. */
export function argArms(spec: ProgramSpec): Array<[string, string[]]> {
  const arms: Array<[string, string[]]> = [];
  for (const c of allCommands(spec)) {
    c.args.forEach((a, i) => {
      if (a.hint.kind === 'free') return;
      arms.push([`${c.path.join(' ')}|${a.variadic ? '*' : i}`, hintWords(a.hint)]);
    });
  }
  return arms;
}

export function names(f: FlagSpec): string[] {
  return [f.short, f.long].filter((n): n is string => n !== undefined);
}

/** Quotes a case pattern for sh-like shells: literal text, except a trailing "*" after "|". */
export function pat(key: string): string {
  return key.startsWith('*|') ? `*${sq(key.slice(1))}` : key.endsWith('|*') ? `${sq(key.slice(0, -1))}*` : sq(key);
}

export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
