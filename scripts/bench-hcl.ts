// Standalone: node --import tsx scripts/bench-hcl.ts
import { benchHcl } from '../server/src/parsers/hcl/bench';

const result = benchHcl();
for (const [name, r] of Object.entries(result)) {
  console.log(
    `hcl ${name.padEnd(9)} ${String(r.lines).padStart(5)} lines  p50 ${r.p50Ms.toFixed(2)} ms  p95 ${r.p95Ms.toFixed(2)} ms  ${r.mbPerSecond.toFixed(1)} MB/s  (${r.runs} runs)`,
  );
}
