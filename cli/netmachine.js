#!/usr/bin/env node
// The `netmachine` command. TypeScript runs through tsx, so there is no build step for users.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
