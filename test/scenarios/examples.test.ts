import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExpectations, formatProblem, InputError, loadScenario } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';

const examples = join(import.meta.dirname, '..', '..', 'scenarios', 'examples');
const broken = join(import.meta.dirname, 'broken');

describe('example scenarios', () => {
  const files = readdirSync(examples).filter((file) => file.endsWith('.yaml'));
  it('there are at least eight', () => expect(files.length).toBeGreaterThanOrEqual(8));
  for (const file of files) {
    it(`${file} validates, runs, and meets its expectations`, async () => {
      const scenario = await loadScenario(join(examples, file));
      expect(scenario.expect, 'every example states what it expects').toBeDefined();
      const result = simulate(scenario.plan);
      const expectations = await checkExpectations(scenario.expect, result.header, result.events, scenario.file);
      expect(expectations.filter((expectation) => !expectation.isMet)).toEqual([]);
    });
  }
});

describe('broken scenarios', () => {
  for (const file of readdirSync(broken).filter((name) => name.endsWith('.yaml'))) {
    it(`${file} yields its located messages, each with its code`, async () => {
      const path = join(broken, file);
      const expected = [...readFileSync(path, 'utf8').matchAll(/^# expect: (.*)$/gm)].map((match) => match[1]!);
      expect(expected.length, 'each file lists what it expects').toBeGreaterThan(0);
      const error = await loadScenario(path).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(InputError);
      const problems = (error as InputError).problems.map((problem) => `${formatProblem(problem).slice(path.length + 1)} [${problem.code}]`);
      expect(problems).toEqual(expected);
    });
  }
});
