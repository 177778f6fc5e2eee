// Lists and adds patients through the API (proxied by this server under /api/).
async function api(path, options) {
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

async function refresh() {
  try {
    const [patients, stats] = await Promise.all([api('/api/patients'), api('/api/stats')]);
    const list = document.getElementById('patients');
    list.replaceChildren(...patients.map(p => {
      const item = document.createElement('li');
      item.textContent = `${p.name} `;
      const when = document.createElement('small');
      when.textContent = new Date(p.created_at).toLocaleString();
      item.append(when);
      return item;
    }));
    document.getElementById('stats').textContent =
      `${stats.patients} patients; reminders sent ${stats.reminders_sent}, pending ${stats.reminders_pending}; ` +
      `answered by ${stats.answered_by.task || stats.answered_by.hostname}`;
  } catch (e) {
    document.getElementById('stats').textContent = `The API is not answering (${e.message}).`;
  }
}

document.getElementById('add').addEventListener('submit', async event => {
  event.preventDefault();
  const input = document.getElementById('name');
  await api('/api/patients', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: input.value }),
  });
  input.value = '';
  refresh();
});

refresh();
setInterval(refresh, 5000);
