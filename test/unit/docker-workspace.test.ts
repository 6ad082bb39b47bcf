// Dockerfiles that know the images built elsewhere in the workspace: summaries of Dockerfiles and
// compose files, joined by image name.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { baseImageFacts, COMPOSE_BUILDS, DOCKERFILE_SUMMARY } from '../../rules/_helpers/docker-workspace';
import type { Rule } from '../../server/src/engine/api';
import { Engine } from '../../server/src/engine/engine';
import { Workspace } from '../../server/src/workspace/workspace';

const probe: Rule<'dockerfile'> = {
  id: 'test/base-facts',
  title: 'Base image facts',
  severity: 'info',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'Reports what the workspace knows of each base image.',
  references: {},
  scope: 'workspace',
  summaries: [DOCKERFILE_SUMMARY, COMPOSE_BUILDS],
  visits: ['FROM'],
  messages: { known: '{{image}}: user {{user}}, healthcheck {{health}}, built by {{file}} via {{via}}' },
  check(ctx) {
    for (const from of ctx.nodes) {
      const image = from.args[0]?.value ?? '';
      const known = baseImageFacts(ctx.project, image);
      if (known) {
        ctx.report({
          messageId: 'known',
          data: { image, user: known.facts.user ?? '-', health: known.facts.healthcheck ?? '-', file: known.dockerfile, via: known.via },
          span: from.args[0].span,
        });
      }
    }
  },
};

describe('base images built in the workspace', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-base-'));
  const files: Record<string, string> = {
    'compose.yaml': 'services:\n  base:\n    image: acme/base:1.2\n    build: ./base\n  tools:\n    image: ghcr.io/acme/tools\n    build:\n      context: tools\n      dockerfile: Containerfile\n      target: runtime\n  db:\n    image: postgres:16\n',
    'base/Dockerfile': 'FROM debian:bookworm-slim\nRUN useradd app\nUSER app\nHEALTHCHECK CMD true\n',
    'tools/Containerfile': 'FROM alpine:3.22 AS runtime\nUSER 10001\nFROM runtime AS debug\nUSER root\n',
    'app/Dockerfile': 'FROM acme/base:1.2\nFROM docker.io/acme/base\nFROM ghcr.io/acme/tools:2\nFROM acme/base:9.9\nFROM postgres:16\n',
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }

  test('FROM resolves through a compose file to the Dockerfile that builds the image, and inherits its USER and HEALTHCHECK', async () => {
    const workspace = new Workspace(root, new Engine([probe]));
    await workspace.buildIndex();
    const findings = workspace.check({ path: 'app/Dockerfile', text: files['app/Dockerfile'] }).findings;
    assert.deepEqual(findings.map((f) => f.message), [
      'acme/base:1.2: user app, healthcheck set, built by base/Dockerfile via compose.yaml',
      'docker.io/acme/base: user app, healthcheck set, built by base/Dockerfile via compose.yaml',
      'ghcr.io/acme/tools:2: user 10001, healthcheck -, built by tools/Containerfile via compose.yaml',
    ]);
  });

  test('an edit of the base Dockerfile changes what the dependent file is told', async () => {
    const workspace = new Workspace(root, new Engine([probe]));
    await workspace.buildIndex();
    assert.equal(workspace.updateIndex('base/Dockerfile', 'FROM debian:bookworm-slim\nUSER root\n'), true);
    const first = workspace.check({ path: 'app/Dockerfile', text: 'FROM acme/base:1.2\n' }).findings[0];
    assert.equal(first.message, 'acme/base:1.2: user root, healthcheck -, built by base/Dockerfile via compose.yaml');
  });
});
