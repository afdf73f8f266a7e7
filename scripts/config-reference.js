// The configuration reference, docs/configuration.md, generated from the config classes: each
// field is an environment variable, its doc comment the description, its class-validator
// decorators the allowed values, its initializer the default. Read from the source with the
// TypeScript parser (no app is loaded), so the classes stay the one place a setting is described.
// `npm run docs:config` writes the file; scripts/config-reference.spec.ts fails when it is stale,
// when a variable is read without being declared, or when one has no description.
const { readFileSync, readdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const prettier = require('prettier');
const ts = require('typescript');

const ROOT = path.join(__dirname, '..');
const OUTPUT = 'docs/configuration.md';
const CONFIG_FILES = [
  'libs/platform/src/config/service-config.ts',
  'apps/ai-gateway/src/config/gateway.config.ts',
  'apps/credit-store/src/config/credit-store.config.ts',
];
/** The config class each app loads at boot. */
const APP_CONFIGS = { 'ai-gateway': 'GatewayConfig', 'credit-store': 'CreditStoreConfig' };

/** What the scripts (npm start, the Kafka and PostgreSQL helpers) read besides the apps' settings. */
const SCRIPT_VARIABLES = [
  {
    name: 'FAKE_UPSTREAM_PORT',
    readBy: 'scripts/stack.js, tools/fake-upstream',
    default: '`3900`',
    description:
      'Port of the stand-in upstream `npm start` runs when UPSTREAM_BASE_URL is unset (models demo-chat, demo-embedding, demo-claude).',
  },
  {
    name: 'KAFKA_PORT',
    readBy: 'scripts/kafka.sh, scripts/stack.js',
    default: '`9092`',
    description:
      'Client port of the local broker (node n: KAFKA_PORT + 2(n-1)); `npm start` derives KAFKA_BROKERS from it unless that is set.',
  },
  {
    name: 'KAFKA_CONTROLLER_PORT',
    readBy: 'scripts/kafka.sh',
    default: '`9093`',
    description: 'Controller (KRaft) port of the local broker (node n: + 2(n-1)).',
  },
  {
    name: 'KAFKA_NODES',
    readBy: 'scripts/kafka.sh, scripts/stack.js',
    default: '1 (start-cluster: 3)',
    description: 'Local broker nodes to run; 3 makes a cluster.',
  },
  {
    name: 'KAFKA_DATA_DIR',
    readBy: 'scripts/kafka.sh',
    default: '`.cache/kafka/data` (cluster: `.cache/kafka/cluster`)',
    description: 'Where the local broker keeps its logs and data.',
  },
  {
    name: 'KAFKA_HEAP_OPTS',
    readBy: 'scripts/kafka.sh',
    default: '`-Xms256m -Xmx512m` (cluster, per node: `-Xms128m -Xmx256m`)',
    description: "The local broker's JVM heap.",
  },
  {
    name: 'KAFKA_START_TIMEOUT_SECONDS',
    readBy: 'scripts/kafka.sh',
    default: '90 (cluster: 180)',
    description: 'How long to wait for the local broker to become ready.',
  },
  {
    name: 'EMBEDDED_POSTGRES_DIR',
    readBy: 'scripts/embedded-postgres.js',
    default: '`.cache/postgres`',
    description:
      'Where `npm start` keeps the embedded PostgreSQL it starts when none answers on the *_DATABASE_URL address.',
  },
  {
    name: 'PGUSER',
    readBy: 'scripts/local-postgres.js',
    default: 'the OS user',
    description: 'Whom the database URLs connect as when they name nobody (as node-postgres does).',
  },
  {
    name: 'DOCS_ONLY',
    readBy: 'tools/docs-check',
    default: 'every file',
    description:
      '`npm run test:docs` runs only these files (comma-separated, e.g. `docs/keys.md`).',
  },
  {
    name: 'DOCS_REUSE',
    readBy: 'tools/docs-check',
    default: 'unset',
    description:
      '1: the docs check uses the stack already answering on its ports, and leaves it running.',
  },
  {
    name: 'DOCS_STACK_ONLY',
    readBy: 'tools/docs-check',
    default: 'unset',
    description:
      '1: the docs check only brings its stack up and keeps it until Ctrl-C (for DOCS_REUSE).',
  },
  {
    name: 'DOCS_GATEWAY_PORT, DOCS_STORE_PORT, DOCS_UPSTREAM_PORT, DOCS_KAFKA_PORT',
    readBy: 'tools/docs-check',
    default: '`3640`, `3641`, `3642`, `19640`',
    description: "Where the docs check's own stack runs.",
  },
  {
    name: 'DOCS_DB_PREFIX',
    readBy: 'tools/docs-check',
    default: '`tally_docs`',
    description: "Prefix of the docs check's databases (one pair per run, dropped afterwards).",
  },
  {
    name: 'DOCS_POSTGRES_SERVER',
    readBy: 'tools/docs-check',
    default: '`postgres://postgres@127.0.0.1:5432`',
    description: 'The PostgreSQL server the docs check makes its databases on.',
  },
  {
    name: 'DOCS_START_TIMEOUT_S',
    readBy: 'tools/docs-check',
    default: '`600`',
    description: 'How long the docs check waits for its stack to come up.',
  },
  {
    name: 'PARTITIONS_PG_BIN',
    readBy: 'scripts/test-partitions.sh',
    default: '`/usr/lib/postgresql/15/bin`',
    description:
      "Where the partition suite finds PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup).",
  },
  {
    name: 'PARTITIONS_NETNS_PREFIX',
    readBy: 'scripts/test-partitions.sh',
    default: '`tparts`',
    description: "Prefix of the partition suite's network namespace names.",
  },
];

/** Variables read that are not settings, each with the reason. */
const NOT_SETTINGS = {
  EMBEDDED_POSTGRES_SERVER:
    'handed by scripts/embedded-postgres.js to the child process it spawns (the server to run), not set by people',
};

/** Files that read the environment as a whole, each with the reason. */
const WHOLE_ENVIRONMENT_READERS = {
  'libs/platform/src/config/load-config.ts':
    "takes exactly the config class's fields from the environment",
  'tools/docs-check/docs-stack.ts':
    'hands its environment to `npm start`, with the docs ports over it',
  'tools/docs-check/run-example.ts': 'runs the examples in the environment of the check',
};

function readSource(file) {
  return ts.createSourceFile(
    file,
    readFileSync(path.join(ROOT, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
}

function oneLine(text) {
  return text.replace(/\s+/g, ' ').trim();
}

/** The value of a literal or of a constant arithmetic expression (`64 * 1024 * 1024`). */
function constant(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isIdentifier(node) && node.text === 'undefined') return undefined;
  if (ts.isRegularExpressionLiteral(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return constant(node.expression);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
    return -constant(node.operand);
  }
  if (ts.isBinaryExpression(node)) {
    const [a, b] = [constant(node.left), constant(node.right)];
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.AsteriskToken:
        return a * b;
      case ts.SyntaxKind.PlusToken:
        return a + b;
      case ts.SyntaxKind.MinusToken:
        return a - b;
    }
  }
  throw new Error(`${node.getSourceFile().fileName}: cannot read ${node.getText()} as a constant`);
}

function docComment(node) {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const text = docs.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '').join(' ');
  return oneLine(text);
}

/** `@Validate(SomeConstraint)`: the constraint class's default message, found in the same file. */
function constraintMessage(source, className) {
  let message;
  source.forEachChild((node) => {
    if (!ts.isClassDeclaration(node) || node.name?.text !== className) return;
    for (const member of node.members) {
      if (ts.isMethodDeclaration(member) && member.name.getText() === 'defaultMessage') {
        member.body.forEachChild((statement) => {
          if (ts.isReturnStatement(statement)) message = constant(statement.expression);
        });
      }
    }
  });
  if (message === undefined) throw new Error(`${source.fileName}: no message for ${className}`);
  return message.replace('$property ', '');
}

function describeField(source, property) {
  const decorators = (ts.getDecorators(property) ?? []).map((decorator) => {
    const call = decorator.expression;
    return { name: call.expression.getText(), args: call.arguments };
  });
  const find = (name) => decorators.find((decorator) => decorator.name === name);
  const optional = Boolean(find('IsOptional'));
  const type = find('IsInt') ? 'integer' : 'string';
  const allowed = [];
  const [min, max] = [find('Min'), find('Max')].map((d) => d && constant(d.args[0]));
  if (min !== undefined && max !== undefined) allowed.push(`${min} to ${max}`);
  else if (min !== undefined) allowed.push(`at least ${min}`);
  else if (max !== undefined) allowed.push(`at most ${max}`);
  const minLength = find('MinLength');
  if (minLength) {
    const length = constant(minLength.args[0]);
    allowed.push(length === 1 ? 'not empty' : `at least ${length} characters`);
  }
  const matches = find('Matches');
  if (matches) {
    const options = matches.args[1];
    const message =
      options &&
      options.properties.find((p) => p.name.getText() === 'message') &&
      constant(options.properties.find((p) => p.name.getText() === 'message').initializer);
    allowed.push(
      message ? message.replace('$property ', '') : `matches \`${constant(matches.args[0])}\``,
    );
  }
  for (const validate of decorators.filter((d) => d.name === 'Validate')) {
    allowed.push(constraintMessage(source, validate.args[0].getText()));
  }
  const initial = property.initializer ? constant(property.initializer) : undefined;
  return {
    name: property.name.getText(),
    type,
    default: initial === undefined ? undefined : String(initial),
    optional,
    allowed: allowed.join('; '),
    description: docComment(property),
  };
}

/** Every config class in the config files: its name, the class it extends, its fields. */
function readConfigClasses() {
  const classes = new Map();
  for (const file of CONFIG_FILES) {
    const source = readSource(file);
    source.forEachChild((node) => {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const base = node.heritageClauses
        ?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)
        ?.types[0].expression.getText();
      const fields = node.members
        .filter(
          (member) =>
            ts.isPropertyDeclaration(member) && /^[A-Z][A-Z0-9_]*$/.test(member.name.getText()),
        )
        .map((member) => describeField(source, member));
      if (fields.length > 0)
        classes.set(node.name.text, { name: node.name.text, file, base, fields });
    });
  }
  return classes;
}

/** Every declared variable with the apps that read it, in the order the classes declare them. */
function readSettings() {
  const classes = readConfigClasses();
  const settings = new Map();
  for (const [app, className] of Object.entries(APP_CONFIGS)) {
    for (let cls = classes.get(className); cls; cls = classes.get(cls.base)) {
      for (const field of cls.fields) {
        const setting = settings.get(field.name) ?? {
          ...field,
          file: cls.file,
          className: cls.name,
          apps: [],
        };
        setting.apps.push(app);
        settings.set(field.name, setting);
      }
    }
  }
  return [...settings.values()];
}

function cell(text) {
  return text.replace(/\|/g, '\\|');
}

function code(text) {
  return text === '' ? '' : `\`${text}\``;
}

function renderTable(settings) {
  const rows = settings.map((s) =>
    [
      `\`${s.name}\``,
      s.type,
      s.default === undefined ? 'unset' : code(s.default),
      s.allowed,
      s.description,
    ]
      .map(cell)
      .join(' | '),
  );
  return [
    '| Variable | Type | Default | Allowed | Description |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function renderUnformatted() {
  const settings = readSettings();
  const sections = [
    ['Both apps', (s) => s.apps.length > 1],
    ['ai-gateway only', (s) => s.apps.length === 1 && s.apps[0] === 'ai-gateway'],
    ['credit-store only', (s) => s.apps.length === 1 && s.apps[0] === 'credit-store'],
  ];
  const scriptRows = SCRIPT_VARIABLES.map((v) =>
    [`\`${v.name}\``, v.readBy, v.default, v.description].map(cell).join(' | '),
  );
  return [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs:config` from the config classes; do not edit by hand. -->',
    '',
    'Both apps read their settings from environment variables once, at start, and refuse to start',
    'on a value outside its allowed range, naming the variable. Every default is safe for a local',
    'run; in production (`NODE_ENV=production`) or on a non-loopback `HOST`, `ADMIN_TOKEN` and',
    '`INTERNAL_TOKEN` must be secrets of your own.',
    '',
    `The settings come from the config classes (${Object.values(APP_CONFIGS)
      .map((c) => `\`${c}\``)
      .join(', ')}, both extending \`ServiceConfig\`):`,
    ...CONFIG_FILES.map((file) => `- \`${file}\``),
    '',
    ...sections.flatMap(([title, test]) => [
      `## ${title}`,
      '',
      renderTable(settings.filter(test)),
      '',
    ]),
    '## Scripts',
    '',
    'Read by `npm start` (scripts/stack.js) and the helpers it runs, not by the apps. `npm start`',
    'passes the settings above on to the apps.',
    '',
    '| Variable | Read by | Default | Description |',
    '| --- | --- | --- | --- |',
    ...scriptRows.map((row) => `| ${row} |`),
    '',
  ].join('\n');
}

/** The reference as `npm run docs:config` writes it: formatted as `prettier --check` wants it. */
async function renderConfigurationReference() {
  const file = path.join(ROOT, OUTPUT);
  const options = await prettier.resolveConfig(file);
  return prettier.format(renderUnformatted(), { ...options, filepath: file });
}

function listFiles(dir, test) {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.includes('node_modules') && test(file));
}

/**
 * Where the code reads an environment variable by name: `process.env.X`, `process.env['X']`,
 * `env.X` on an alias of it, and in shell scripts `${X:-default}`.
 */
function findEnvironmentReads(files) {
  const reads = [];
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const patterns = file.endsWith('.sh')
      ? [/\$\{([A-Z][A-Z0-9_]*):?-/g]
      : [/\benv\.([A-Z][A-Z0-9_]*)\b/g, /\bprocess\.env\[['"`]([^'"`]+)['"`]\]/g];
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) reads.push({ name: match[1], file });
    }
    if (!file.endsWith('.sh') && /\bprocess\.env\b(?!\.[A-Z]|\[['"`])/.test(text)) {
      reads.push({ name: '*', file });
    }
  }
  return reads;
}

/** The files whose environment reads must be declared: the apps, the libs, the scripts, the tools. */
function sourceFiles() {
  const notTest = (file) => !/\.(spec|e2e-spec)\.ts$/.test(file);
  return [
    ...listFiles('apps', (f) => f.endsWith('.ts') && notTest(f)),
    ...listFiles('libs', (f) => f.endsWith('.ts') && notTest(f)),
    ...listFiles('tools', (f) => f.endsWith('.ts') && notTest(f)),
    ...listFiles('scripts', (f) => /\.(js|sh)$/.test(f) && f !== 'scripts/config-reference.js'),
  ];
}

/** Reads of variables that are neither declared nor allowed, as `NAME (file)` lines. */
function undeclaredReads() {
  const declared = new Set([
    ...readSettings().map((s) => s.name),
    ...SCRIPT_VARIABLES.map((v) => v.name),
    ...Object.keys(NOT_SETTINGS),
  ]);
  return findEnvironmentReads(sourceFiles())
    .filter(({ name, file }) => {
      if (name === '*') return !(file in WHOLE_ENVIRONMENT_READERS) && !file.startsWith('scripts/');
      return !declared.has(name);
    })
    .map(({ name, file }) =>
      name === '*' ? `process.env as a whole (${file})` : `${name} (${file})`,
    );
}

module.exports = {
  OUTPUT,
  readSettings,
  renderConfigurationReference,
  findEnvironmentReads,
  undeclaredReads,
  SCRIPT_VARIABLES,
};

if (require.main === module) {
  void renderConfigurationReference().then((text) => {
    writeFileSync(path.join(ROOT, OUTPUT), text);
    console.log(`wrote ${OUTPUT}`);
  });
}
