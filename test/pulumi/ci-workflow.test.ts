/**
 * examples/ci/github-actions.yaml is not run here; it must parse, and hold the two paths users run: the release
 * path (npm ci, cdk8s synth, validation, diff against the previous release) and the Pulumi path (preview on pull
 * requests, up on main, through pulumi/actions).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';

const file = path.join(__dirname, '..', '..', 'examples', 'ci', 'github-actions.yaml');
const doc = parseDocument(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
const workflow: any = doc.toJS();
const runs = (job: any): string => job.steps.filter((s: any) => s.run).map((s: any) => s.run).join('\n');
const uses = (job: any, action: string): any[] => job.steps.filter((s: any) => typeof s.uses === 'string' && s.uses.startsWith(`${action}@`));

test('parses as one YAML document without errors or duplicate keys', () => {
  expect(doc.errors).toEqual([]);
  expect(doc.warnings).toEqual([]);
  expect(workflow.name).toBeTruthy();
});

test('triggers: releases, pull requests and pushes to main; read-only token by default', () => {
  expect(workflow.on).toEqual({ release: { types: ['published'] }, pull_request: { branches: ['main'] }, push: { branches: ['main'] } });
  expect(workflow.permissions).toEqual({ contents: 'read' });
});

test('every job runs on a runner, has steps, and pins each action to a version', () => {
  expect(Object.keys(workflow.jobs).sort()).toEqual(['manifests', 'preview', 'up']);
  for (const job of Object.values<any>(workflow.jobs)) {
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(job.steps.length).toBeGreaterThan(0);
    for (const step of job.steps) {
      expect(Boolean(step.run) !== Boolean(step.uses)).toBe(true);
      if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
    }
  }
});

test('release path: npm ci, cdk8s synth, validation, diff against the previous release, upload', () => {
  const job = workflow.jobs.manifests;
  expect(job.if).toBe('github.event_name == \'release\'');
  expect(uses(job, 'actions/checkout')[0].with['fetch-depth']).toBe(0);
  const script = runs(job);
  const order = ['npm ci', 'cdk8s synth --no-check-upgrade', 'npm test', 'kubeconform', 'git worktree add', 'diff -ruN', 'gh release upload'];
  const at = order.map((s) => script.indexOf(s));
  expect(at.every((i) => i >= 0)).toBe(true);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
  expect(job.permissions).toEqual({ contents: 'write' });
});

test('Pulumi path: preview on pull requests (PR comment), up on main, both with Google credentials and gke-gcloud-auth-plugin', () => {
  const { preview, up } = workflow.jobs;
  expect(preview.if).toBe('github.event_name == \'pull_request\'');
  expect(up.if).toBe('github.event_name == \'push\' && github.ref == \'refs/heads/main\'');
  for (const [job, command] of [[preview, 'preview'], [up, 'up']] as const) {
    expect(runs(job)).toContain('npm ci');
    const [pulumi] = uses(job, 'pulumi/actions');
    expect(pulumi.with).toMatchObject({ 'command': command, 'stack-name': '${{ env.PULUMI_STACK }}', 'work-dir': '${{ env.PULUMI_DIR }}' });
    expect(pulumi.env.PULUMI_ACCESS_TOKEN).toBe('${{ secrets.PULUMI_ACCESS_TOKEN }}');
    expect(uses(job, 'google-github-actions/auth')).toHaveLength(1);
    expect(uses(job, 'google-github-actions/setup-gcloud')[0].with.install_components).toBe('gke-gcloud-auth-plugin');
    expect(job.permissions['id-token']).toBe('write');
    // the action runs natively: dependencies are installed before it
    expect(job.steps.findIndex((s: any) => s.run?.includes('npm ci'))).toBeLessThan(job.steps.indexOf(pulumi));
  }
  expect(preview.steps.find((s: any) => s.uses?.startsWith('pulumi/actions@')).with['comment-on-pr']).toBe(true);
  expect(up.concurrency['cancel-in-progress']).toBe(false);
});

test('the paths it names exist in this repository', () => {
  const root = path.join(__dirname, '..', '..');
  expect(fs.existsSync(path.join(root, workflow.env.CDK8S_APP_DIR, 'cdk8s.yaml'))).toBe(true);
  expect(fs.existsSync(path.join(root, workflow.env.PULUMI_DIR, 'Pulumi.yaml'))).toBe(true);
});

test('every run script is valid bash (GitHub expressions replaced by a placeholder)', () => {
  for (const [name, job] of Object.entries<any>(workflow.jobs)) {
    for (const step of job.steps.filter((s: any) => s.run)) {
      const script = String(step.run).replace(/\$\{\{[^}]*\}\}/g, 'placeholder');
      const result = spawnSync('bash', ['-n', '-e', '-o', 'pipefail'], { input: script, encoding: 'utf8' });
      expect({ job: name, step: step.name, stderr: result.stderr }).toEqual({ job: name, step: step.name, stderr: '' });
    }
  }
});
