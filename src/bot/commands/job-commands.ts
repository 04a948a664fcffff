/**
 * The job commands, recognised by their first word: `refresh`, `jobs`, `job <id>`, `cancel <id>`,
 * `approvals here`. "does PS100012 need a refresh?" is a question, not a request: only a message
 * that starts with the command word asks for one.
 */
import type { Command } from './command';

export function readJobCommand(original: readonly string[], words: readonly string[]): Command | undefined {
  const first = words[0]?.replace(/^\//, '');
  const rest = original.slice(1).join(' ').trim();
  switch (first) {
    case 'refresh':
    case 'service':
      return { name: 'refresh', text: rest };
    case 'jobs':
      return { name: 'jobs', filter: rest };
    case 'job':
      return rest === '' ? { name: 'jobs', filter: '' } : { name: 'job', jobId: rest };
    case 'cancel':
      return { name: 'cancel', jobId: rest };
    case 'approvals':
      return words[1] === 'here' && words.length === 2 ? { name: 'approvals-here' } : undefined;
    default:
      return undefined;
  }
}
