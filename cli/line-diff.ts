// Showing where two trace lines differ without printing either whole: a line can be 100 MiB.

/** Characters shown on each side of the first difference. */
const WINDOW_CHARS = 60;

/** The first differing JSON field (when it can be told) and a window of each line around the difference. */
export function lineDifference(recorded: string | undefined, replayed: string | undefined): { field?: string; recorded: string; replayed: string } {
  if (recorded === undefined || replayed === undefined) {
    const end = '(end of trace)';
    return { recorded: recorded === undefined ? end : window(recorded, 0), replayed: replayed === undefined ? end : window(replayed, 0) };
  }
  let at = 0;
  while (at < recorded.length && at < replayed.length && recorded.charCodeAt(at) === replayed.charCodeAt(at)) at++;
  const field = fieldAt(recorded, at);
  return { ...(field !== undefined && { field }), recorded: window(recorded, at), replayed: window(replayed, at) };
}

function window(line: string, at: number): string {
  const start = Math.max(0, at - WINDOW_CHARS);
  const end = Math.min(line.length, at + WINDOW_CHARS);
  const cut = line.length - end;
  return `${start > 0 ? `…(${start} chars) ` : ''}${line.slice(start, end)}${cut > 0 ? ` …(${cut} more chars)` : ''}`;
}

/** The name of the top-level `"key":` whose value holds offset `at` of a JSON object line (a scan, no parse). */
function fieldAt(line: string, at: number): string | undefined {
  let depth = 0;
  let key: string | undefined;
  let isInString = false;
  let stringStart = -1;
  let lastString: string | undefined;
  for (let i = 0; i < at && i < line.length; i++) {
    const c = line[i];
    if (isInString) {
      if (c === '\\') i++;
      else if (c === '"') {
        isInString = false;
        lastString = line.slice(stringStart + 1, i);
      }
      continue;
    }
    if (c === '"') {
      isInString = true;
      stringStart = i;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ':' && depth === 1) key = lastString;
  }
  return key === undefined ? undefined : key.slice(0, 60);
}
