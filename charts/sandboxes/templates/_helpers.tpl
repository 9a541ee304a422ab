{{/* The release's name for every object; one silo set per release. */}}
{{- define "sandboxes.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sandboxes.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sandboxes.labels" -}}
{{ include "sandboxes.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The Secret with the storage connection string and the cluster secret: the operator's, or the chart's. */}}
{{- define "sandboxes.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "sandboxes.fullname" .) -}}
{{- end -}}

{{- define "sandboxes.dockerEndpoint" -}}
{{- .Values.dockerEndpoint | default (printf "unix://%s/engine/docker.sock" (trimSuffix "/" .Values.dataRoot)) -}}
{{- end -}}

{{/* Seconds as a .NET TimeSpan (hh:mm:ss): a bare "25" would bind as 25 days. */}}
{{- define "sandboxes.shutdownTimeout" -}}
{{- $s := int .Values.shutdownTimeoutSeconds -}}
{{- printf "%02d:%02d:%02d" (div $s 3600) (mod (div $s 60) 60) (mod $s 60) -}}
{{- end -}}

{{/* Refuses values that would make a silo that cannot start or cannot stop cleanly. */}}
{{- define "sandboxes.validate" -}}
{{- if not .Values.tls.secretName -}}
{{- fail "tls.secretName is required: the silo's ports listen beyond loopback, so they must be https (a kubernetes.io/tls Secret)" -}}
{{- end -}}
{{- if not .Values.secrets.existingSecret -}}
{{- if not .Values.secrets.storageConnectionString -}}
{{- fail "secrets.storageConnectionString is required (or name a Secret in secrets.existingSecret)" -}}
{{- end -}}
{{- if not .Values.secrets.clusterSecret -}}
{{- fail "secrets.clusterSecret is required (or name a Secret in secrets.existingSecret)" -}}
{{- end -}}
{{- end -}}
{{- if le (int .Values.terminationGracePeriodSeconds) (int .Values.shutdownTimeoutSeconds) -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must be larger than shutdownTimeoutSeconds (%v), or Kubernetes kills the silo before it has stopped" .Values.terminationGracePeriodSeconds .Values.shutdownTimeoutSeconds) -}}
{{- end -}}
{{- end -}}

{{/*
A value as configuration text. Helm reads every number in a values file as a float, and
toString writes a large one as 1.7179869184e+10, which .NET cannot bind to a long; whole
numbers are written as integers. Nothing (null, or a key left empty) is "".
*/}}
{{- define "sandboxes.setting" -}}
{{- if kindIs "invalid" . -}}
{{- else if and (kindIs "float64" .) (eq . (float64 (int64 .))) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}
