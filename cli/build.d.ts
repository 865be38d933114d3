// Types of cli/build.js (plain JavaScript so that it runs before anything is compiled).
/** True when this is a checkout with TypeScript sources (an installed package ships only dist/). */
export function hasSources(): boolean;
/** True when dist/ was built after the last change to any compiled source, asset or build setting. */
export function isBuildCurrent(): boolean;
/** Builds dist/ from scratch; returns tsc's exit status. */
export function build(): number;
