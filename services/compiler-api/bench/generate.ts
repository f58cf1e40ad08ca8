/**
 * Generates a realistic Fluxio project with about `states` states (tasks,
 * ifs, try/except, retries, Pass assignments, waits, a map and a parallel).
 * Usage: `tsx services/compiler-api/bench/generate.ts 300 > /tmp/p300.py`
 */
export function generateProject(states: number): string {
  const out: string[] = [];
  const tasks = 10;
  for (let t = 0; t < tasks; t++) {
    out.push(`class Task${t}(Task):`, `    timeout = ${60 + t}`, '', `    async def run(event, context):`, `        import json`, `        return {"n": ${t}, "ok": True}`, '', '');
  }
  out.push('def item(data):', '    data["r"] = Task0(data)', '', '', 'def side(data):', '    data["s"] = Task1(data)', '', '');
  out.push('@schedule(expression="rate(1 hour)")', 'def main(data):', '    """Generated workflow."""');
  // each block below yields ~6 states (envelope adds 2)
  let count = 2;
  let i = 0;
  while (count < states) {
    const t = i % tasks;
    out.push(`    data["r${i}"] = Task${t}(data, key="Step ${i}")`);
    out.push(`    if data["r${i}"]["n"] > ${t} and "k${i}" in data:`);
    out.push(`        data["flag${i}"] = {"i": ${i}, "tags": ["a", "b"]}`);
    out.push(`    elif data["mode"] == "fast":`);
    out.push(`        wait(seconds=1)`);
    out.push('    try:');
    out.push(`        with retry(on_exceptions=[ValueError], max_attempts=2):`);
    out.push(`            Task${(t + 1) % tasks}(data["r${i}"], key="Guarded ${i}")`);
    out.push('    except ValueError as err:');
    out.push(`        data["failed${i}"] = True`);
    count += 6;
    i++;
    if (i % 20 === 0 && count < states) {
      out.push(`    data["m${i}"] = map(data["items"], item, max_concurrency=4)`);
      out.push(`    parallel(item, side)`);
      count += 4;
    }
  }
  out.push('    return', '');
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(generateProject(Number(process.argv[2] ?? 300)));
}
