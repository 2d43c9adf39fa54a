{{/* Name prefix of every object: the release name, or RELEASE-wakegate. */}}
{{- define "wakegate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; "component" is passed as .component. */}}
{{- define "wakegate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "wakegate.selectorLabels" . }}
{{- end -}}

{{- define "wakegate.selectorLabels" -}}
app.kubernetes.io/name: {{ default .root.Chart.Name .root.Values.nameOverride }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Image of a component: {{ include "wakegate.image" (dict "root" $ "image" .Values.scaler.image) }} */}}
{{- define "wakegate.image" -}}
{{- printf "%s%s:%s" .root.Values.image.registry .image.repository (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}

{{- define "wakegate.interceptorName" -}}{{ include "wakegate.fullname" . }}-interceptor{{- end -}}
{{- define "wakegate.scalerName" -}}{{ include "wakegate.fullname" . }}-scaler{{- end -}}
{{- define "wakegate.controllerName" -}}{{ include "wakegate.fullname" . }}-controller{{- end -}}

{{/* The route-table ConfigMap: the controller writes it under this fixed name (Names.ROUTE_TABLE_CONFIGMAP). */}}
{{- define "wakegate.routeTableConfigMap" -}}wakegate-routes{{- end -}}

{{/* The address KEDA calls (written by the controller into every ScaledObject trigger). */}}
{{- define "wakegate.scalerAddress" -}}
{{- printf "%s.%s.svc.%s:%v" (include "wakegate.scalerName" .) .Release.Namespace .Values.clusterDomain .Values.scaler.ports.keda -}}
{{- end -}}

{{/* The interceptors' demand-stream target: every scaler pod behind the headless Service. */}}
{{- define "wakegate.demandAddress" -}}
{{- printf "dns:///%s-demand.%s.svc.%s:%v" (include "wakegate.scalerName" .) .Release.Namespace .Values.clusterDomain .Values.scaler.ports.demand -}}
{{- end -}}

{{/* Where TLS Secrets are mounted (scaler.tls): the scaler's own and the client CA in the scaler,
the scaler's CA and the client certificate in the interceptors. */}}
{{- define "wakegate.tlsDir" -}}/etc/wakegate-tls{{- end -}}

{{/* Where the interceptor reads the admin token Secret (interceptor.adminToken). */}}
{{- define "wakegate.adminTokenDir" -}}/etc/wakegate-admin{{- end -}}

{{/* Fails rendering when scaler.tls asks for mutual TLS without the interceptors' certificate. */}}
{{- define "wakegate.checkTls" -}}
{{- $tls := .Values.scaler.tls -}}
{{- if and $tls.enabled (not $tls.serverSecret) -}}
{{- fail "scaler.tls.serverSecret: empty (expected: the Secret with the scaler's tls.crt, tls.key and ca.crt)" -}}
{{- end -}}
{{- if and $tls.enabled $tls.clientCASecret (not $tls.interceptorClientSecret) -}}
{{- fail "scaler.tls.interceptorClientSecret: empty (expected: a Secret with tls.crt and tls.key, required with scaler.tls.clientCASecret)" -}}
{{- end -}}
{{- end -}}

{{/* Pod-level settings shared by every component. */}}
{{- define "wakegate.podCommon" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Environment every JVM container gets. */}}
{{- define "wakegate.javaEnv" -}}
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- with .javaOptions }}
- name: JDK_JAVA_OPTIONS
  value: {{ . | quote }}
{{- end }}
{{- with .extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
