import { basename } from 'node:path';
import type { HandoverRecord, HandoverStepId } from './record.js';
import { targetFlags } from '../output/target-flags.js';
import { writeJson } from '../output/json.js';
import type { IO } from '../io/types.js';

/**
 * The handover record as a Markdown checklist for people (and for a ticket or a
 * printout). Pure: the same record always renders the same text.
 */

interface Item {
  id: HandoverStepId;
  text: string;
  /** Shown only once recorded (optional steps). */
  optional?: boolean;
}

const PHASES: Array<{ title: string; who: 'outgoing' | 'incoming'; command: string; items: Item[] }> = [
  {
    title: '1. Outgoing operator: rotate to a new key',
    who: 'outgoing',
    command: 'pikactl handover start',
    items: [
      { id: 'server-checked', text: 'Server checked' },
      { id: 'rotated', text: 'Rotated to a new key the outgoing operator chose' },
      { id: 'key-saved', text: 'New key saved before it was applied' },
    ],
  },
  {
    title: '2. Incoming operator: prove the new key after a restart',
    who: 'incoming',
    command: 'pikactl handover accept --record FILE',
    items: [
      { id: 'restart-seen', text: 'Restart cycle seen' },
      { id: 'unlocked', text: 'Unlocked with the key received' },
      { id: 'settings-readable', text: 'Settings open under the new key' },
      { id: 'keychain-saved', text: "Key stored in the incoming operator's keychain", optional: true },
    ],
  },
  {
    title: '3. Outgoing operator: retire the old key',
    who: 'outgoing',
    command: 'pikactl handover finish --record FILE',
    items: [
      { id: 'accept-confirmed', text: "Incoming operator's acceptance checked" },
      { id: 'old-key-retired', text: "Old key removed from pikactl's keychain" },
      {
        id: 'password-manager-reminded',
        text: 'Reminded to delete the old key from the password manager (by hand: pikactl cannot check it)',
      },
      { id: 'closed', text: 'Record closed' },
    ],
  },
];

/** "2025-03-01T09:30:12.345Z" → "2025-03-01 09:30 UTC". */
function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function nextCommand(r: HandoverRecord, file: string): string {
  if (r.rotation_may_be_half_done && r.state === 'started') {
    return `Outgoing operator: \`pikactl recover-rotation ${targetFlags(r.server)}\` (the rotation may be half done; hand nothing over)`;
  }
  switch (r.state) {
    case 'started':
      return `Incoming operator, after the next restart: \`pikactl handover accept --record ${file}\``;
    case 'accepted':
      return `Outgoing operator: \`pikactl handover finish --record ${file}\``;
    case 'finished':
      return 'Nothing: the handover is complete.';
  }
}

export function renderChecklist(r: HandoverRecord, jsonPath: string): string {
  const file = basename(jsonPath);
  const out: string[] = [
    `# Pika server key handover: ${r.server}`,
    '',
    '| | |',
    '|---|---|',
    `| Server | ${r.server} |`,
    `| Outgoing operator | ${r.outgoing.operator} |`,
    `| Incoming operator | ${r.incoming?.operator ?? '_not yet_'} |`,
    `| State | ${r.state} |`,
    `| Started | ${when(r.started_at)} |`,
    ...(r.accepted_at ? [`| Accepted | ${when(r.accepted_at)} |`] : []),
    ...(r.finished_at ? [`| Finished | ${when(r.finished_at)} |`] : []),
    '',
    "This file holds no secret. The new key travels separately, through the organisation's",
    'credential-transfer process, never in this file, a chat or a ticket.',
  ];
  for (const phase of PHASES) {
    out.push('', `## ${phase.title}`, '', `Command: \`${phase.command.replace('FILE', file)}\``, '');
    for (const item of phase.items) {
      const done = r.steps.find((s) => s.id === item.id);
      if (!done && item.optional) continue;
      const half = item.id === 'rotated' && !done ? r.rotation_may_be_half_done : undefined;
      if (half) out.push(`- [ ] ${item.text} — **rotation may be half done** (${when(half.at)}): ${half.why}`);
      else out.push(done ? `- [x] ${item.text} — ${done.note} (${done.by}, ${when(done.at)})` : `- [ ] ${item.text}`);
    }
  }
  out.push('', `**Next:** ${nextCommand(r, file)}`, '');
  return out.join('\n');
}

/** What a stage says when it is done: its --json object or its lines; both name the record and checklist. */
export function reportStage(
  io: IO,
  json: boolean,
  r: {
    server: string;
    state: 'started' | 'accepted' | 'finished';
    files: { json: string; markdown: string };
    /** Fields of this stage, after the record's (`next`, `keychain`). */
    fields: Record<string, unknown>;
    text: string;
  },
): void {
  if (json)
    writeJson(io, {
      ok: true,
      server: r.server,
      state: r.state,
      record: r.files.json,
      checklist: r.files.markdown,
      ...r.fields,
      exit_code: 0,
    });
  else io.stdout.write(r.text);
}
