#!/usr/bin/env node
// Entry point of the `canopy` command; the TypeScript is compiled to dist/ by `npm ci` (prepare).
import '../dist/main.js';
