import type { RunWebhook } from '@webtasks/protocol';
import { formatClock, formatDuration, formatTime, h } from './dom.js';

/** Where a webhook stands: delivered, given up, waiting for its next attempt, or not tried yet. */
function webhookState(webhook: RunWebhook): HTMLElement {
  const tries = webhook.deliveries.length;
  const plural = tries === 1 ? '' : 's';
  if (webhook.delivered)
    return h(
      'p',
      null,
      h('span', { class: 'badge badge-success' }, 'delivered'),
      ` after ${tries} attempt${plural}`,
    );
  if (webhook.gaveUp)
    return h(
      'p',
      null,
      h('span', { class: 'badge badge-failed' }, 'given up'),
      ` after ${tries} attempt${plural}: the retry period ended without a 2xx answer`,
    );
  return h(
    'p',
    null,
    h('span', { class: 'badge badge-pending' }, 'owed'),
    tries === 0
      ? ' sent when the run completes'
      : ` · next attempt ${webhook.nextAttemptAt ? formatTime(webhook.nextAttemptAt) : 'soon'}`,
  );
}

/** The run's webhook: its URL, state, and every delivery attempt with the receiver's answer. */
export function webhookSection(webhook: RunWebhook): HTMLElement[] {
  return [
    h('p', { class: 'muted' }, 'POST to ', h('code', null, webhook.url)),
    webhookState(webhook),
    webhook.deliveries.length === 0
      ? h('p', { class: 'empty' }, 'No delivery attempt yet.')
      : h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            { class: 'table compact', 'aria-label': 'Delivery attempts' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['Attempt', 'Time', 'Answer', 'Duration', 'Result'].map((name) =>
                  h('th', { scope: 'col' }, name),
                ),
              ),
            ),
            h(
              'tbody',
              null,
              webhook.deliveries.map((delivery) =>
                h(
                  'tr',
                  { 'data-attempt': String(delivery.attempt) },
                  h('td', null, `#${delivery.attempt}`),
                  h('td', null, formatClock(delivery.at)),
                  h(
                    'td',
                    { class: delivery.ok ? undefined : 'error-text' },
                    delivery.status !== undefined ? `HTTP ${delivery.status}` : (delivery.error ?? '—'),
                  ),
                  h('td', null, formatDuration(delivery.durationMs)),
                  h(
                    'td',
                    null,
                    h(
                      'span',
                      { class: `badge badge-${delivery.ok ? 'success' : 'failed'}` },
                      delivery.ok ? 'ok' : 'failed',
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
  ];
}
