/**
 * The one escaping every log line that carries data goes through (file names, report fields, externalIds, messages
 * from files or the service). The runner reads a workflow command from any line of the step's output: `::name::`
 * at the start of a line (after spaces) and the older `##[name]` anywhere in it. So a line break in data would
 * start a line of the attacker's choosing (`::add-mask::`, `::error::`, `::stop-commands::`), and data at the start
 * of a line could be one itself.
 *
 * `%`, CR and LF are percent-encoded as @actions/core encodes annotation data (so the escaping is unambiguous and a
 * reader can undo it); a leading `:` and the `[` of `##[` are encoded the same way.
 */
export function escapeLogLine(message: string): string {
  return message
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/^(\s*):/, '$1%3A')
    .replace(/##\[/g, '##%5B')
}
