{{/* Labels on every object: the same part-of label as deploy/ (kustomize), plus Helm's own. */}}
{{- define "zonekeeper.labels" -}}
app.kubernetes.io/part-of: zonekeeper
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* The controller Pods' selector (the same as deploy/deployment.yaml's). */}}
{{- define "zonekeeper.selector" -}}
app.kubernetes.io/name: {{ .Values.name }}
app.kubernetes.io/component: controller
{{- end }}

{{/* `zonekeeper controller` flags from the values. */}}
{{- define "zonekeeper.args" -}}
- controller
{{- range .Values.zones }}
- --zone={{ .name }}={{ .server }}
{{- end }}
{{- range .Values.sources }}
- --source={{ . }}
{{- end }}
{{- if ne .Values.policy "sync" }}
- --policy={{ .Values.policy }}
{{- end }}
{{- if ne .Values.txtOwnerId "zonekeeper" }}
- --txt-owner-id={{ .Values.txtOwnerId }}
{{- end }}
{{- with .Values.txtPrefix }}
- --txt-prefix={{ . }}
{{- end }}
{{- with .Values.txtSuffix }}
- --txt-suffix={{ . }}
{{- end }}
{{- with .Values.txtWildcardReplacement }}
- --txt-wildcard-replacement={{ . }}
{{- end }}
{{- range .Values.domainFilters }}
- --domain-filter={{ . }}
{{- end }}
{{- range .Values.excludeDomains }}
- --exclude-domains={{ . }}
{{- end }}
{{- with .Values.sourceNamespace }}
- --namespace={{ . }}
{{- end }}
{{- with .Values.labelFilter }}
- {{ printf "--label-filter=%s" . | quote }}
{{- end }}
{{- with .Values.annotationFilter }}
- {{ printf "--annotation-filter=%s" . | quote }}
{{- end }}
{{- range .Values.ingressClasses }}
- --ingress-class={{ . }}
{{- end }}
{{- range .Values.defaultTargets }}
- --default-target={{ . }}
{{- end }}
{{- if .Values.traefikLegacyGroup }}
- --traefik-legacy-group
{{- end }}
{{- if .Values.sourcesOnly }}
- --sources-only
{{- end }}
{{- if .Values.dryRun }}
- --dry-run
{{- end }}
{{- if not .Values.leaderElection.enabled }}
- --no-leader-election
{{- else if ne .Values.leaderElection.leaseName "zonekeeper-controller" }}
- --lease-name={{ .Values.leaderElection.leaseName }}
{{- end }}
{{- if and .Values.leaderElection.enabled (gt (int .Values.leaderElection.shards) 0) }}
- --shards={{ .Values.leaderElection.shards }}
{{- end }}
{{- if ne (int .Values.driftInterval) 60 }}
- --drift-interval={{ .Values.driftInterval }}
{{- end }}
{{- if ne (int .Values.workers) 4 }}
- --workers={{ .Values.workers }}
{{- end }}
{{- if ne .Values.logFormat "json" }}
- --log-format={{ .Values.logFormat }}
{{- end }}
{{- if ne .Values.logLevel "info" }}
- --log-level={{ .Values.logLevel }}
{{- end }}
{{- if .Values.uiAnonymousRead }}
- --ui-anonymous-read
{{- end }}
{{- /* `helm upgrade --reuse-values` from a release older than these values has no bind9 key */}}
{{- $bind9 := .Values.bind9 | default dict }}
{{- $bind9Image := $bind9.image | default "zonekeeper-bind9:dev" }}
{{- if ne $bind9Image "zonekeeper-bind9:dev" }}
- --bind9-image={{ $bind9Image }}
{{- end }}
{{- $agent := $bind9.agentImage | default (printf "%s:%s" .Values.image.repository .Values.image.tag) }}
{{- if ne $agent "zonekeeper:dev" }}
- --agent-image={{ $agent }}
{{- end }}
{{- $certs := .Values.certificates | default dict }}
{{- if or $certs.watch $certs.wildcard }}
- --watch-certificates
{{- range $certs.wildcard }}
- --wildcard-certificate={{ .zone }}={{ .issuer }}
{{- end }}
{{- if $certs.wildcard }}
- --certificate-namespace={{ $certs.namespace | default $.Release.Namespace }}
{{- end }}
{{- if and $certs.expiryWarningDays (ne (int $certs.expiryWarningDays) 14) }}
- --certificate-expiry-warning-days={{ $certs.expiryWarningDays }}
{{- end }}
{{- if and $certs.notReadySeconds (ne (int $certs.notReadySeconds) 300) }}
- --certificate-not-ready-seconds={{ $certs.notReadySeconds }}
{{- end }}
{{- end }}
{{- range .Values.extraArgs }}
- {{ . }}
{{- end }}
{{- end }}
