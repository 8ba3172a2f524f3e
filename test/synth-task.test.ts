import * as fs from 'fs';
import * as path from 'path';

// `npm run synth` runs the steps projen wrote into .projen/tasks.json; an example added without re-running
// `npx projen` is silently left out of the synth (and of the checker run on its output).
test('the synth task covers every example app (re-run `npx projen` after adding one)', () => {
  const root = path.resolve(__dirname, '..');
  const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen/tasks.json'), 'utf8'));
  const synthCwds = (tasks.tasks.synth.steps as { cwd?: string }[]).map((s) => s.cwd).sort();
  const apps = fs.readdirSync(path.join(root, 'examples'))
    .filter((d) => fs.existsSync(path.join(root, 'examples', d, 'cdk8s.yaml')))
    .map((d) => `examples/${d}`).sort();
  expect(apps.length).toBeGreaterThan(0);
  expect(synthCwds).toEqual(apps);
});
