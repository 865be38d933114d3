// Plain-text tables for terminal output.

/** Renders rows as a left-aligned table with a header row. */
export function table(header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: ReadonlyArray<string>): string => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** `12.3` style rounding for milliseconds. */
export function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${Math.round(value * 10) / 10}ms`;
}
