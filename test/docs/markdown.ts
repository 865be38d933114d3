// What the docs test reads from a Markdown page: its shell blocks (with the docs-test markers before
// them), its links and images, its headings' anchors and the scenario files it names. Parsed with
// markdown-it (CommonMark) and slugged with github-slugger, as GitHub renders the pages.
import { readFileSync } from 'node:fs';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';

/** A fenced `sh`/`bash` block. */
export interface ShellBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The block's command lines: blank and comment-only lines left out, `\` continuations joined. */
  readonly commands: ReadonlyArray<string>;
  /** From `<!-- docs-test: skip (reason) -->` right before the block. */
  readonly skipReason?: string;
  /** From `<!-- docs-test: exit N -->` right before the block: every command exits with N (default 0). */
  readonly exitCode: number;
  /** A docs-test comment before the block that is neither form (reported as an error). */
  readonly badMarker?: string;
}

/** A relative link or image source (`docs/x.md#part`, `#part`, `images/a.png`). */
export interface PageLink {
  readonly line: number;
  readonly href: string;
}

/** A block marked `<!-- docs-test: file PATH -->`: a copy of that repository file, kept verbatim. */
export interface FileBlock {
  readonly line: number;
  readonly path: string;
  readonly content: string;
}

export interface Page {
  readonly file: string;
  readonly text: string;
  readonly blocks: ReadonlyArray<ShellBlock>;
  readonly fileBlocks: ReadonlyArray<FileBlock>;
  /** docs-test markers that are in no known form or before a block they cannot apply to. */
  readonly badMarkers: ReadonlyArray<{ readonly line: number; readonly marker: string }>;
  readonly links: ReadonlyArray<PageLink>;
  /** GitHub's anchors of the page's headings (`## The node config` → `the-node-config`). */
  readonly anchors: ReadonlySet<string>;
}

const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell']);
const MARKER = /^<!--\s*docs-test:\s*(.*?)\s*-->\s*$/s;
const markdown = new MarkdownIt({ html: true });

/** Reads and parses one page. */
export function readPage(file: string): Page {
  const text = readFileSync(file, 'utf8');
  const tokens = markdown.parse(text, {});
  const blocks: ShellBlock[] = [];
  const fileBlocks: FileBlock[] = [];
  const badMarkers: { line: number; marker: string }[] = [];
  const links: PageLink[] = [];
  const anchors = new Set<string>();
  const slugger = new GithubSlugger();
  let line = 1; // inline tokens in tables carry no position: the last block's line is close
  tokens.forEach((token, index) => {
    if (token.map !== null) line = token.map[0] + 1;
    if (token.type === 'fence') {
      const marker = markerBefore(tokens, index);
      const file = marker === undefined ? null : /^file\s+(\S+)$/.exec(marker);
      if (file !== null && file !== undefined) fileBlocks.push({ line, path: file[1]!, content: token.content });
      else if (SHELL_LANGUAGES.has(token.info.trim())) blocks.push(shellBlock(token.content, line, marker));
      else if (marker !== undefined) badMarkers.push({ line, marker });
    }
    if (token.type === 'heading_open') anchors.add(slugger.slug(plainText(tokens[index + 1])));
    if (token.type === 'inline') for (const child of token.children ?? []) collectLink(child, line, links);
  });
  return { file, text, blocks, fileBlocks, badMarkers, links, anchors };
}

/** The docs-test comment right before token `index`, if any. */
function markerBefore(tokens: ReadonlyArray<Token>, index: number): string | undefined {
  const previous = tokens[index - 1];
  if (previous?.type !== 'html_block') return undefined;
  return MARKER.exec(previous.content.trim())?.[1];
}

function shellBlock(content: string, line: number, marker: string | undefined): ShellBlock {
  const commands = content
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((command) => command.trim())
    .filter((command) => command !== '' && !command.startsWith('#'));
  if (marker === undefined) return { line, commands, exitCode: 0 };
  const skip = /^skip\s*\((.+)\)$/s.exec(marker);
  if (skip !== null) return { line, commands, exitCode: 0, skipReason: skip[1]!.trim() };
  const exit = /^exit\s+(\d+)$/.exec(marker);
  if (exit !== null) return { line, commands, exitCode: Number(exit[1]) };
  return { line, commands, exitCode: 0, badMarker: marker };
}

function plainText(inline: Token | undefined): string {
  return (inline?.children ?? []).map((child) => (child.type === 'text' || child.type === 'code_inline' ? child.content : '')).join('');
}

function collectLink(token: Token, line: number, links: PageLink[]): void {
  const attribute = token.type === 'link_open' ? token.attrGet('href') : token.type === 'image' ? token.attrGet('src') : null;
  if (attribute === null) return;
  const href = String(attribute);
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return; // https:, mailto:, file: …
  links.push({ line, href });
}

/**
 * Paths of YAML files a page names (`scenarios/examples/x.yaml`, `pubsub-star.yaml`), with the line
 * of each mention: in prose, code spans and blocks alike.
 */
export function yamlMentions(text: string): ReadonlyArray<{ readonly line: number; readonly path: string }> {
  const mentions: { line: number; path: string }[] = [];
  text.split('\n').forEach((content, index) => {
    for (const match of content.matchAll(/(?<![\w./-])((?:\.{0,2}\/)?(?:[\w.-]+\/)*[\w-][\w.-]*\.ya?ml)(?![\w/-])/g)) mentions.push({ line: index + 1, path: match[1]! });
  });
  return mentions;
}
