import type { Rule } from '../../_api';

// The engine reports every parser's errors under this id; the rule itself checks nothing.
const rule: Rule<'text'> = {
  id: 'fourfold/parse-error',
  title: 'File does not parse',
  severity: 'medium',
  layer: 'general',
  category: 'hygiene',
  model: 'text',
  description: 'Part of the file could not be parsed, so checks on that part may be missing.',
  references: {},
  messages: { parseError: '{{message}}', moreParseErrors: '… and {{count}} more parse errors in this file, not shown (fourfold.maxParseErrorsPerFile).' },
  check() {},
};

export default rule;
