/**
 * Notification texts (Alertmanager Go templates). The original design's e-mail receiver had no
 * subject or body; here the subject is a header and the body is HTML, both templated per group.
 */

export const EMAIL_SUBJECT =
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] ' +
  '{{ .CommonLabels.severity }}: {{ .CommonLabels.alertname }}' +
  '{{ if .CommonLabels.market }} ({{ .CommonLabels.market }}){{ end }}';

export const EMAIL_HTML = [
  '<h2>{{ .CommonLabels.alertname }} is {{ .Status }}</h2>',
  '<table border="1" cellpadding="4" cellspacing="0">',
  '<tr><th>Market</th><th>Summary</th><th>Details</th><th>Since</th><th>Runbook</th></tr>',
  '{{ range .Alerts }}<tr>',
  '<td>{{ .Labels.market }}</td>',
  '<td>{{ .Annotations.summary }}</td>',
  '<td>{{ .Annotations.description }}</td>',
  '<td>{{ .StartsAt.Format "2006-01-02 15:04 MST" }}</td>',
  '<td>{{ if .Annotations.runbook_url }}<a href="{{ .Annotations.runbook_url }}">runbook</a>{{ end }}</td>',
  '</tr>{{ end }}',
  '</table>',
  '<p><a href="{{ .ExternalURL }}">Alertmanager</a></p>',
].join('\n');

export const SLACK_TITLE =
  '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}{{ if .CommonLabels.market }} ({{ .CommonLabels.market }}){{ end }}';

export const SLACK_TEXT = [
  '{{ range .Alerts }}*{{ .Annotations.summary }}*',
  '{{ .Annotations.description }}',
  '{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}{{ end }}',
  '{{ end }}',
].join('\n');
