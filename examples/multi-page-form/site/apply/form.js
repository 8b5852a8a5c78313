// The application form keeps its answers in the URL from step to step (no server needed):
// each step copies the answers so far into hidden fields, the review step shows them, and the
// confirmation shows a reference derived from them.
const answers = new URLSearchParams(location.search);

for (const form of document.querySelectorAll('form[data-carry]')) {
  const own = new Set([...form.elements].map((element) => element.name).filter(Boolean));
  for (const [name, value] of answers) {
    if (own.has(name)) continue;
    const hidden = document.createElement('input');
    hidden.type = 'hidden';
    hidden.name = name;
    hidden.value = value;
    form.append(hidden);
  }
}

for (const element of document.querySelectorAll('[data-answer]')) {
  element.textContent = answers.get(element.dataset.answer) ?? '';
}

const reference = document.querySelector('#reference');
if (reference) {
  let hash = 7;
  for (const char of ['fullName', 'email', 'plan', 'seats']
    .map((name) => answers.get(name) ?? '')
    .join('|')) {
    hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000;
  }
  reference.textContent = `HC-${String(hash).padStart(6, '0')}`;
}
