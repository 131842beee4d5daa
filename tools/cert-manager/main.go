// Command cert-manager-controller is a small cert-manager controller for
// zonekeeper's test bed, built from the packages of the cert-manager root module
// (github.com/cert-manager/cert-manager, pinned in go.mod).
//
// Upstream's own main (cmd/controller, a separate Go module) is not served by
// the Go module proxy, so this is a reduced re-implementation of its
// cmd/controller/app: it builds a controller.ContextFactory from a kubeconfig,
// constructs the enabled controllers from controller.Known(), starts the shared
// informer factories and runs the control loops until SIGINT/SIGTERM.
//
// Differences from upstream: no leader election, no healthz/pprof server, no
// config file, no webhook or cainjector, only the CA and SelfSigned issuer
// types are compiled in (no ACME, Vault or Venafi), the metrics server is off
// unless --metrics-listen-address names a loopback address, and the PEM size
// limits stay at their built-in defaults (internal/pem cannot be imported
// from outside the cert-manager module).
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	logsapi "k8s.io/component-base/logs/api/v1"

	"github.com/cert-manager/cert-manager/pkg/controller"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"

	// Controllers register themselves with controller.Register in init().
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/metrics"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"

	// Issuer types the issuers/clusterissuers controllers can set up
	// (issuer.RegisterIssuer in init()).
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

// defaultControllers is what runs without --controllers: every controller
// compiled in (see the imports above).
var defaultControllers = []string{
	"issuers",
	"clusterissuers",
	"certificates-trigger",
	"certificates-key-manager",
	"certificates-request-manager",
	"certificates-issuing",
	"certificates-readiness",
	"certificates-revision-manager",
	"certificates-metrics",
	"certificaterequests-approver",
	"certificaterequests-issuer-selfsigned",
	"certificaterequests-issuer-ca",
}

type options struct {
	kubeconfig               string
	namespace                string
	clusterResourceNamespace string
	controllers              []string
	metricsListenAddress     string
	workers                  int
	qps                      float32
	burst                    int
	enableOwnerRef           bool
	copiedAnnotationPrefixes []string
	crMinBackoff             time.Duration
	crMaxBackoff             time.Duration
	featureGates             string
	version                  bool
	logging                  *logsapi.LoggingConfiguration
}

func main() {
	logf.InitLogs()
	defer logf.FlushLogs()
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "cert-manager-controller: error: %v\n", err)
		logf.FlushLogs()
		os.Exit(1)
	}
}

func parseFlags(args []string) (*options, error) {
	o := &options{logging: logsapi.NewLoggingConfiguration()}
	fs := pflag.NewFlagSet("cert-manager-controller", pflag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "path to the kubeconfig of the API server to use (required)")
	fs.StringVar(&o.namespace, "namespace", "", "only watch this namespace (default: all namespaces; ClusterIssuers are then not reconciled)")
	fs.StringVar(&o.clusterResourceNamespace, "cluster-resource-namespace", "cert-manager",
		"namespace of the Secrets that ClusterIssuers refer to (CA key pairs)")
	fs.StringSliceVar(&o.controllers, "controllers", []string{"*"},
		"controllers to run: '*' is the default set, NAME adds one, -NAME removes one; 'help' lists them")
	fs.StringVar(&o.metricsListenAddress, "metrics-listen-address", "",
		"serve Prometheus metrics on this loopback HOST:PORT (default: off)")
	fs.IntVar(&o.workers, "workers", 5, "worker goroutines per controller")
	fs.Float32Var(&o.qps, "kube-api-qps", 20, "client-side QPS limit (only when the API server has no API Priority and Fairness)")
	fs.IntVar(&o.burst, "kube-api-burst", 50, "client-side burst limit (only when the API server has no API Priority and Fairness)")
	fs.BoolVar(&o.enableOwnerRef, "enable-certificate-owner-ref", false,
		"make each Certificate the owner of its Secret, so the Secret is deleted with it")
	fs.StringSliceVar(&o.copiedAnnotationPrefixes, "copied-annotation-prefixes",
		[]string{"*", "-kubectl.kubernetes.io/", "-fluxcd.io/", "-argocd.argoproj.io/"},
		"annotation prefixes copied from Certificate to CertificateRequest")
	fs.DurationVar(&o.crMinBackoff, "certificate-request-minimum-backoff-duration", time.Hour,
		"first retry delay after a failed CertificateRequest (doubles up to the maximum)")
	fs.DurationVar(&o.crMaxBackoff, "certificate-request-maximum-backoff-duration", 32*time.Hour,
		"longest retry delay after failed CertificateRequests")
	fs.StringVar(&o.featureGates, "feature-gates", "", "cert-manager controller feature gates, KEY=BOOL,...")
	fs.BoolVar(&o.version, "version", false, "print the cert-manager version and exit")
	logf.AddFlagsNonDeprecated(o.logging, fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return o, nil
}

// enabledControllers resolves --controllers against the registered controllers.
func enabledControllers(spec []string) ([]string, error) {
	known := controller.Known()
	set := map[string]bool{}
	for _, s := range spec {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
		case s == "*":
			for _, n := range defaultControllers {
				set[n] = true
			}
		case strings.HasPrefix(s, "-"):
			if _, ok := known[s[1:]]; !ok {
				return nil, fmt.Errorf("unknown controller %q", s[1:])
			}
			delete(set, s[1:])
		default:
			if _, ok := known[s]; !ok {
				return nil, fmt.Errorf("unknown controller %q", s)
			}
			set[s] = true
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, errors.New("no controller enabled")
	}
	return names, nil
}

func loopbackAddress(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%q is not a loopback address", addr)
}

func run(args []string) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	if o.version {
		fmt.Println(util.AppVersion)
		return nil
	}
	if slices.Contains(o.controllers, "help") {
		names := make([]string, 0, len(controller.Known()))
		for n := range controller.Known() {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Printf("compiled in: %s\ndefault: %s\n", strings.Join(names, ","), strings.Join(defaultControllers, ","))
		return nil
	}
	if err := logf.ValidateAndApply(o.logging); err != nil {
		return err
	}
	if o.kubeconfig == "" {
		return errors.New("--kubeconfig is required")
	}
	if _, err := os.Stat(o.kubeconfig); err != nil {
		return fmt.Errorf("--kubeconfig: %w", err)
	}
	if o.clusterResourceNamespace == "" {
		return errors.New("--cluster-resource-namespace must not be empty")
	}
	if o.workers < 1 {
		return errors.New("--workers must be at least 1")
	}
	if o.metricsListenAddress != "" {
		if err := loopbackAddress(o.metricsListenAddress); err != nil {
			return fmt.Errorf("--metrics-listen-address: %w", err)
		}
	}
	if o.featureGates != "" {
		if err := utilfeature.DefaultMutableFeatureGate.Set(o.featureGates); err != nil {
			return fmt.Errorf("--feature-gates: %w", err)
		}
	}
	names, err := enabledControllers(o.controllers)
	if err != nil {
		return fmt.Errorf("--controllers: %w", err)
	}
	if o.namespace != "" {
		// As upstream: ClusterIssuers are cluster scoped, so not reconciled
		// by a controller scoped to one namespace.
		names = slices.DeleteFunc(names, func(n string) bool { return n == "clusterissuers" })
	}

	sigCtx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rootCtx, cancel := context.WithCancel(sigCtx)
	defer cancel()
	rootCtx = logf.NewContext(rootCtx, logf.Log, "controller")
	log := logf.FromContext(rootCtx)

	ctxFactory, err := controller.NewContextFactory(rootCtx, controller.ContextOptions{
		Kubeconfig:         o.kubeconfig,
		KubernetesAPIQPS:   o.qps,
		KubernetesAPIBurst: o.burst,
		Namespace:          o.namespace,
		IssuerOptions: controller.IssuerOptions{
			ClusterResourceNamespace: o.clusterResourceNamespace,
			// No cloud metadata services here; ambient credentials are only
			// used by the ACME/Vault issuers, which are not compiled in.
			ClusterIssuerAmbientCredentials: false,
			IssuerAmbientCredentials:        false,
		},
		CertificateOptions: controller.CertificateOptions{
			EnableOwnerRef:                           o.enableOwnerRef,
			CopiedAnnotationPrefixes:                 o.copiedAnnotationPrefixes,
			CertificateRequestMinimumBackoffDuration: o.crMinBackoff,
			CertificateRequestMaximumBackoffDuration: o.crMaxBackoff,
		},
		SchedulerOptions: controller.SchedulerOptions{MaxConcurrentChallenges: 60},
	})
	if err != nil {
		return fmt.Errorf("building controller context: %w", err)
	}
	ctx, err := ctxFactory.Build()
	if err != nil {
		return fmt.Errorf("building controller context: %w", err)
	}

	var metricsServer *http.Server
	if o.metricsListenAddress != "" {
		ln, err := net.Listen("tcp", o.metricsListenAddress)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		metricsServer = ctx.Metrics.NewServer(ln)
		go func() {
			if err := metricsServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error(err, "metrics server failed")
				cancel()
			}
		}()
		log.Info("serving metrics", "address", ln.Addr().String())
	}

	log.Info("starting cert-manager controller", "version", util.AppVersion, "kubeconfig", o.kubeconfig,
		"clusterResourceNamespace", o.clusterResourceNamespace, "namespace", o.namespace, "controllers", names)

	var wg sync.WaitGroup
	errc := make(chan error, len(names))
	for _, n := range names {
		iface, err := controller.Known()[n](ctxFactory)
		if err != nil {
			cancel()
			wg.Wait()
			return fmt.Errorf("constructing controller %s: %w", n, err)
		}
		wg.Go(func() {
			log.V(logf.InfoLevel).Info("starting controller", "controller", n)
			if err := iface.Run(o.workers, rootCtx); err != nil {
				errc <- fmt.Errorf("controller %s: %w", n, err)
			}
		})
	}

	// The informers the controllers asked for in their constructors.
	ctx.SharedInformerFactory.Start(rootCtx.Done())
	ctx.KubeSharedInformerFactory.Start(rootCtx.Done())
	ctx.HTTP01ResourceMetadataInformersFactory.Start(rootCtx.Done())
	if ctx.GatewaySolverEnabled {
		ctx.GWShared.Start(rootCtx.Done())
	}

	var runErr error
	select {
	case <-rootCtx.Done():
		log.Info("shutting down", "reason", context.Cause(sigCtx))
	case runErr = <-errc:
		log.Error(runErr, "a controller failed; shutting down")
	}
	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		log.Info("control loops did not exit within 10s")
	}
	if metricsServer != nil {
		shutdownCtx, c := context.WithTimeout(context.Background(), 5*time.Second)
		_ = metricsServer.Shutdown(shutdownCtx)
		c()
	}
	return runErr
}
