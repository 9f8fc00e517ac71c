// Writes the default page set (built-in SLOs, default deployment and budget) to
// packages/web/generated/dashboards.json: the golden copy the model's test compares with.
// Usage: npm run gen:dashboards (after npm run build)
import { writeFileSync } from 'node:fs';
import { buildDashboards } from '../dist/index.js';

const out = new URL('../generated/dashboards.json', import.meta.url);
writeFileSync(out, JSON.stringify(buildDashboards(), null, 2) + '\n');
console.log(`wrote ${out.pathname}`);
