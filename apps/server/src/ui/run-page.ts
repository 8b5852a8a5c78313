import type { RunEventEntry, RunRecord, WebTaskResult } from '@webtasks/protocol';
import { ApiError, api, followEvents, type Session } from './api.js';
import type { PageContext } from './app.js';
import { card, formatBytes, formatClock, h, mount, notice } from './dom.js';
import { describeEvent } from './run-events.js';
import {
  agentSteps,
  attempts,
  logs,
  modelCalls,
  outputPreview,
  screenshots,
  summary,
  timeline,
} from './run-record.js';
import { webhookSection } from './run-webhook.js';

/** How often a run page re-reads the record while its webhook is still owed. */
const WEBHOOK_POLL_MS = 2000;

/** One run: summary, live events, timeline, output, model calls, agent steps, logs, screenshots. */
export async function renderRunPage(context: PageContext, webTaskId: string): Promise<void> {
  const { root, session, signal } = context;
  const path = `/web-tasks/${encodeURIComponent(webTaskId)}`;
  const actions = h('div', { class: 'actions' });
  const messages = h('div', { 'aria-live': 'polite' });
  const details = h('div');
  const eventList = h('ol', { class: 'events', id: 'event-list' });
  const streamState = h('span', { class: 'live', role: 'status' }, 'Connecting…');
  const eventsCard = card(
    'Live events',
    'events',
    h('p', { class: 'muted' }, streamState),
    h('div', { class: 'events-box', tabindex: '0', 'aria-label': 'Event list' }, eventList),
  );
  const timelineSlot = h('div', { class: 'slot' });
  const evidence = h('div');
  mount(
    root,
    h(
      'nav',
      { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: '#/runs' }, 'Runs'),
      ' / ',
      h('span', null, webTaskId),
    ),
    h('div', { class: 'page-head' }, h('h1', null, 'Run ', h('code', null, webTaskId)), actions),
    messages,
    details,
    h('div', { class: 'grid' }, timelineSlot, eventsCard),
    evidence,
  );

  let result: WebTaskResult | undefined;
  const draw = (record: RunRecord) => {
    if (!result) return;
    const trace = record.artifacts.find((artifact) => artifact.kind === 'trace');
    const finished = result.status === 'completed';
    mount(
      actions,
      finished
        ? null
        : h(
            'button',
            { type: 'button', class: 'button danger', onclick: () => cancel(session) },
            'Cancel run',
          ),
      trace?.url
        ? h(
            'a',
            { class: 'button', href: trace.url, download: `${webTaskId}-trace.zip` },
            `Download trace (${formatBytes(trace.sizeBytes)})`,
          )
        : null,
    );
    mount(
      details,
      card('Summary', 'summary', summary(result, record)),
      card('Output', 'output', ...outputPreview(result, record)),
    );
    mount(
      timelineSlot,
      card('Timeline', 'timeline', timeline(record), h('h3', null, 'Attempts'), attempts(record)),
    );
    mount(
      evidence,
      card('Screenshots', 'screenshots', screenshots(record)),
      card('Model calls and cost', 'model-calls', ...modelCalls(record)),
      card('Agent steps', 'agent-steps', agentSteps(record)),
      card('Logs', 'logs', ...logs(record)),
      record.webhook ? card('Webhook', 'webhook', ...webhookSection(record.webhook)) : null,
    );
  };
  let pending: ReturnType<typeof setTimeout> | undefined;
  let webhookPoll: ReturnType<typeof setTimeout> | undefined;
  const load = async () => {
    const [nextResult, record] = await Promise.all([
      api<WebTaskResult>(session, 'GET', `${path}/result`, { signal }),
      api<RunRecord>(session, 'GET', `${path}/record`, { signal }),
    ]);
    result = nextResult;
    draw(record);
    // A completed run's owed webhook is retried with no event to announce it: look again.
    const owed = record.webhook && !record.webhook.delivered && !record.webhook.gaveUp;
    if (owed && result.status === 'completed') {
      clearTimeout(webhookPoll);
      webhookPoll = setTimeout(() => load().catch(context.fail), WEBHOOK_POLL_MS);
    }
  };
  // Events arrive in bursts: reload the record at most once a second.
  const reloadSoon = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      load().catch(context.fail);
    }, 1000);
  };
  signal.addEventListener('abort', () => {
    clearTimeout(pending);
    clearTimeout(webhookPoll);
  });

  async function cancel(current: Session) {
    try {
      await api(current, 'POST', `${path}/cancel`, { signal });
      mount(
        messages,
        notice('success', 'Cancel requested: the run stops within seconds and completes as canceled.'),
      );
      reloadSoon();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) mount(messages, notice('info', error.message));
      else context.fail(error);
    }
  }

  await load();
  void followEvents(
    session,
    webTaskId,
    {
      onEvent(entry: RunEventEntry) {
        const { title, detail, tone } = describeEvent(entry.event);
        eventList.append(
          h(
            'li',
            { class: `event tone-${tone}`, 'data-type': entry.event.type },
            h('span', { class: 'seq' }, `#${entry.seq}`),
            h('span', { class: 'muted' }, formatClock(entry.at)),
            h('strong', null, title),
            detail ? h('span', { class: 'detail' }, detail) : null,
          ),
        );
        eventList.parentElement?.scrollTo({ top: eventList.scrollHeight });
        if (entry.event.type !== 'log') reloadSoon();
      },
      onResult(final) {
        result = final;
        reloadSoon();
      },
      onState(state, error) {
        streamState.classList.toggle('on', state === 'live');
        streamState.textContent =
          state === 'live'
            ? 'Live: events appear as they happen'
            : state === 'reconnecting'
              ? 'Connection lost, reconnecting…'
              : error
                ? `Stream closed: ${error.message}`
                : 'Run finished: all events shown';
      },
    },
    signal,
  );
}
