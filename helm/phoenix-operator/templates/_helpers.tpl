{{/* Chart name, overridable with nameOverride. */}}
{{- define "phoenix-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified name of the operator's objects (Deployment, ServiceAccount, ClusterRole, ...).
A release named like the chart, or like its start (`phoenix`), gets the chart's name alone.
*/}}
{{- define "phoenix-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else if hasPrefix .Release.Name .Chart.Name }}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "phoenix-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of the operator's pods that its Deployment, Service and PDB select. */}}
{{- define "phoenix-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "phoenix-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "phoenix-operator.labels" -}}
helm.sh/chart: {{ include "phoenix-operator.chart" . }}
{{ include "phoenix-operator.selectorLabels" . }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: phoenix-real-estate
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "phoenix-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "phoenix-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The operator image: image.repository:image.tag, the tag defaulting to the chart's appVersion. */}}
{{- define "phoenix-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The collector image markets get when they name none; defaults to the operator image. */}}
{{- define "phoenix-operator.collectorImage" -}}
{{- default (include "phoenix-operator.image" .) .Values.collectorImage }}
{{- end }}
