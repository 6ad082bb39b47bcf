import type { Rule } from '../../../server/src/engine/api';

// The engine reports every parser's errors under this id; the rule itself checks nothing.
const rule: Rule = {
  id: 'fourfold/parse-error',
  title: 'File does not parse',
  severity: 'medium',
  layer: 'general',
  model: 'text',
  description: 'Part of the file could not be parsed, so checks on that part may be missing.',
  references: {},
  messages: { parseError: '{{message}}' },
  check() {},
};

export default rule;
