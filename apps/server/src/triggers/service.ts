import { randomBytes } from 'node:crypto'
import type { TriggerDefinition, TriggerSetup } from '@forge/core'
import type { Registry } from '@forge/core/host'
import { effectiveBindingConfig, validateConfig } from '@forge/core/host'
import { HostErrors, hostError } from '../errors.js'
import { applyMergePatch, parseInput } from '../input.js'
import { installedKind } from '../plugins/kinds.js'
import type { Store } from '../store/index.js'
import { bindingInput, triggerInput } from './input.js'
import type { Binding, Trigger, TriggerInput } from './types.js'

export interface TriggerServiceDeps {
  store: Store
  registry: Registry
  /** The base of the webhook URLs handed out: FORGE_PUBLIC_URL, else the listening address. */
  webhookBase: string
}

/** A trigger as the API shows it: with its webhook URL, never its signing secret. */
export type TriggerView = Trigger & { webhookUrl: string }

/** A trigger in the list: with how many workloads it is bound to and its newest delivery. */
export type TriggerListItem = TriggerView & {
  bindingCount: number
  lastDelivery: { id: string; status: number; vendor: string | null; receivedAt: string } | null
}

/** The answer to creating one: once, the secret it generated, and how to set each vendor up. */
export type CreatedTrigger = TriggerView & { signingSecret?: string; setup: TriggerSetup[] }

/** 32 random bytes as hex: every vendor's secret field and header takes it as it is. */
const generateSigningSecret = () => randomBytes(32).toString('hex')

/** A binding as the API shows it: with its workload's name and its trigger's warnings about it. */
export type BindingView = Binding & { workloadName: string | null; warnings: string[] }

export interface BindInput {
  config?: Record<string, unknown>
  enabled?: boolean
}

/** Triggers and their bindings to workloads, with the rules that keep every binding valid. */
export function createTriggerService(deps: TriggerServiceDeps) {
  const { store, registry } = deps
  const base = deps.webhookBase.replace(/\/+$/, '')

  const view = (trigger: Trigger): TriggerView => ({
    ...trigger,
    webhookUrl: `${base}/api/webhook/triggers/${store.triggers.webhookSecret(trigger.id)}`,
  })
  const find = (id: string): Trigger => {
    const trigger = store.triggers.get(id)
    if (!trigger) throw hostError(HostErrors.NotFound, { what: 'trigger', id })
    return trigger
  }
  /** A binding as answered: its workload's name and what its trigger finds odd about it. */
  function bindingView(binding: Binding, trigger: Pick<Trigger, 'kind' | 'config'>): BindingView {
    const workload = store.workloads.get(binding.workloadId)
    const definition = registry.find('trigger', trigger.kind)
    const config = definition
      ? effectiveBindingConfig(definition, trigger.config, binding.config)
      : null
    const warnings =
      workload && definition?.bindingWarnings && config?.ok
        ? definition.bindingWarnings(config.value, workload)
        : []
    return { ...binding, workloadName: workload?.name ?? null, warnings }
  }
  const findWorkload = (id: string) => {
    const workload = store.workloads.get(id)
    if (!workload) throw hostError(HostErrors.NotFound, { what: 'workload', id })
    return workload
  }
  const uniqueName = (name: string, selfId?: string) => {
    const taken = store.triggers.findByName(name)
    if (taken && taken.id !== selfId)
      throw hostError(HostErrors.Conflict, { what: 'trigger', field: 'name', value: name })
  }

  /** The kind is installed and the config valid for it (issues under `at`). */
  async function checkConfig(
    kind: string,
    config: Record<string, unknown>,
    at: string,
  ): Promise<TriggerDefinition> {
    const definition = installedKind(registry, 'trigger', kind, at.replace(/config$/, 'kind'))
    const result = await validateConfig(definition.configSchema, config, { at })
    if (!result.ok) throw result.error
    return definition
  }

  /** A binding's override, merged over its trigger's config, must be valid for the kind. */
  function checkOverride(
    trigger: Pick<Trigger, 'kind' | 'config'>,
    override: Record<string, unknown>,
    at = 'config',
  ): void {
    const definition = registry.get('trigger', trigger.kind)
    const result = effectiveBindingConfig(definition, trigger.config, override, { at })
    if (!result.ok) throw result.error
  }

  /** A trigger that requires signatures and was given no signing secret gets a generated one. */
  function withSigningSecret(input: TriggerInput): {
    input: TriggerInput
    generated: string | null
  } {
    if (input.requireSignature === false || input.signingSecret) return { input, generated: null }
    const generated = generateSigningSecret()
    return { input: { ...input, signingSecret: generated }, generated }
  }

  /** The answer to a create: the view, the generated secret (this once) and each vendor's setup. */
  function createdView(
    definition: TriggerDefinition,
    trigger: Trigger,
    secrets: { generated: string | null; given: string | null | undefined },
  ): CreatedTrigger {
    const shown = view(trigger)
    const setup =
      definition.setup?.({
        webhookUrl: shown.webhookUrl,
        signingSecret: secrets.generated ?? secrets.given ?? null,
        requireSignature: shown.requireSignature,
      }) ?? []
    return { ...shown, ...(secrets.generated ? { signingSecret: secrets.generated } : {}), setup }
  }

  function createBinding(
    trigger: Trigger,
    workload: { id: string; name: string },
    input: BindInput,
  ): Binding {
    if (store.bindings.find(trigger.id, workload.id))
      throw hostError(HostErrors.BindingExists, { trigger: trigger.name, workload: workload.name })
    return store.bindings.create({
      triggerId: trigger.id,
      workloadId: workload.id,
      config: input.config ?? {},
      enabled: input.enabled,
    })
  }

  return {
    find,
    /** Every trigger with its binding count and its newest delivery. */
    list(): TriggerListItem[] {
      const counts = store.bindings.countPerTrigger()
      const latest = store.deliveries.latestPerTrigger()
      return store.triggers.list().map((t) => ({
        ...view(t),
        bindingCount: counts.get(t.id) ?? 0,
        lastDelivery: latest.get(t.id) ?? null,
      }))
    },
    get(id: string): TriggerView & { bindings: BindingView[] } {
      const trigger = find(id)
      const bindings = store.bindings.forTrigger(trigger.id).map((b) => bindingView(b, trigger))
      return { ...view(trigger), bindings }
    },

    /**
     * Creates a trigger. One that requires signatures and was given no signing secret gets a
     * generated one, answered once as `signingSecret` (never again) with `setup`: per vendor,
     * what to paste where.
     */
    async create(input: TriggerInput): Promise<CreatedTrigger> {
      const definition = await checkConfig(input.kind, input.config, 'config')
      uniqueName(input.name)
      const { input: stored, generated } = withSigningSecret(input)
      const trigger = store.triggers.create(stored)
      return createdView(definition, trigger, { generated, given: input.signingSecret })
    },

    /**
     * Changes a trigger by a JSON merge patch of its document (its config included); the kind
     * cannot change, and every binding's effective config must stay valid.
     */
    async update(id: string, patch: Record<string, unknown>): Promise<TriggerView> {
      const current = find(id)
      const document = {
        name: current.name,
        kind: current.kind,
        config: current.config,
        enabled: current.enabled,
        requireSignature: current.requireSignature,
      }
      const next = parseInput(triggerInput, applyMergePatch(document, patch), 'trigger')
      if (next.kind !== current.kind)
        throw hostError(
          HostErrors.TriggerKindChange,
          { kind: current.kind },
          {
            issues: [{ path: 'kind', message: `is ${current.kind}; create a new trigger instead` }],
          },
        )
      const definition = await checkConfig(current.kind, next.config, 'config')
      if (next.name !== current.name) uniqueName(next.name, current.id)
      for (const binding of store.bindings.forTrigger(current.id)) {
        const result = effectiveBindingConfig(definition, next.config, binding.config, {
          at: `bindings.${binding.id}.config`,
        })
        if (!result.ok) throw result.error
      }
      return view(
        store.triggers.update(current.id, {
          ...next,
          // Write-only: absent keeps it, null clears it.
          signingSecret: 'signingSecret' in patch ? (next.signingSecret ?? null) : undefined,
        }),
      )
    },

    remove(id: string): void {
      store.triggers.remove(find(id).id)
    },

    /** A new webhook URL; the old one answers 404 from now on. */
    rotateSecret(id: string): TriggerView {
      const trigger = find(id)
      store.triggers.rotateSecret(trigger.id)
      return view(find(trigger.id))
    },

    bindings: {
      forWorkload(workloadId: string): (BindingView & { trigger: TriggerView })[] {
        const workload = findWorkload(workloadId)
        return store.bindings.forWorkload(workload.id).map((b) => {
          const trigger = find(b.triggerId)
          return { ...bindingView(b, trigger), trigger: view(trigger) }
        })
      },

      /** Binds an existing trigger to a workload. */
      bind(workloadId: string, triggerId: string, input: BindInput) {
        const workload = findWorkload(workloadId)
        const trigger = find(triggerId)
        checkOverride(trigger, input.config ?? {})
        const binding = createBinding(trigger, workload, input)
        return { ...bindingView(binding, trigger), trigger: view(trigger) }
      },

      /** Creates a trigger and binds it in one transaction: both or neither. */
      async bindNew(workloadId: string, triggerInput: TriggerInput, input: BindInput) {
        const workload = findWorkload(workloadId)
        const definition = await checkConfig(
          triggerInput.kind,
          triggerInput.config,
          'trigger.config',
        )
        checkOverride(triggerInput, input.config ?? {})
        uniqueName(triggerInput.name)
        const { input: stored, generated } = withSigningSecret(triggerInput)
        return store.transaction(() => {
          const trigger = store.triggers.create(stored)
          const binding = createBinding(trigger, workload, input)
          const secrets = { generated, given: triggerInput.signingSecret }
          return {
            ...bindingView(binding, trigger),
            trigger: createdView(definition, trigger, secrets),
          }
        })
      },

      /** Changes a binding by a JSON merge patch: `config: { key: null }` inherits the key again. */
      update(id: string, patch: Record<string, unknown>): BindingView {
        const binding = store.bindings.get(id)
        if (!binding) throw hostError(HostErrors.NotFound, { what: 'binding', id })
        const document = { config: binding.config, enabled: binding.enabled }
        const next = parseInput(bindingInput, applyMergePatch(document, patch), 'binding')
        const trigger = find(binding.triggerId)
        checkOverride(trigger, next.config)
        return bindingView(store.bindings.update(id, next), trigger)
      },

      remove(id: string): void {
        if (!store.bindings.get(id)) throw hostError(HostErrors.NotFound, { what: 'binding', id })
        store.bindings.remove(id)
      },
    },
  }
}

export type TriggerService = ReturnType<typeof createTriggerService>
