// Command pulumi-language-python is this project's Python language host for the Pulumi engine.
//
// Why our own: Pulumi's host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3), which the Go module proxy these machines
// reach does not serve at any version (every request, listing included, answers 403 "This module version is not
// available"). Everything it builds on is served, in github.com/pulumi/pulumi/sdk/v3 at the CLI's version: the
// gRPC protocol, the Python toolchain resolution (pip/poetry/uv virtualenvs), the policy-pack proxy and the
// `pulumi-language-python-exec` runner script that the release archives ship beside the host. So this host is a
// thin layer over those: it answers what the engine asks for `pulumi preview/up/refresh/destroy`, policy packs
// (`--policy-pack`) and `pulumi install`/`about`, and leaves code generation, packing and linking unimplemented.
//
// The engine starts it as `pulumi-language-python [--logtostderr] [-v=N] [--tracing URL] <engine address>`; it
// prints the port it serves on, as every plugin does.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

const (
	// The runner script, copied from the SDK module next to this binary by scripts/pulumi-toolchain.sh.
	execScript = "pulumi-language-python-exec"
	// Starts a Python policy pack; written by scripts/pulumi-toolchain.sh next to this binary.
	policyShim = "pulumi-analyzer-policy-python"
	// The runner exits with this code after it has already shown the user an actionable message.
	exitAfterUserMessage = 32
)

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint, handed to the Python runner")
	flag.Parse() // the logging package registers -logtostderr and -v, which the engine passes when asked to
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	logging.InitLogging(false, 0, false)

	self, err := os.Executable()
	if err != nil {
		cmdutil.Exit(fmt.Errorf("locating this executable: %w", err))
	}
	binDir := filepath.Dir(self)
	if _, err := os.Stat(filepath.Join(binDir, execScript)); err != nil {
		cmdutil.Exit(fmt.Errorf("the Python runner must sit next to the language host: %w", err))
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[len(args)-1]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancel)
	}()
	if engineAddress != "" {
		// Exit when the engine goes away.
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("starting the engine health check: %w", err))
		}
	}

	runCtx, runCancel := context.WithCancel(context.Background())
	host := &pythonHost{
		binDir: binDir, engineAddress: engineAddress, tracing: *tracing,
		runCtx: runCtx, runCancel: runCancel,
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("starting the language host's gRPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host stopped serving: %w", err))
	}
}

type pythonHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	binDir        string
	engineAddress string
	tracing       string
	// Cancelled by the Cancel RPC: running programs are interrupted.
	runCtx    context.Context
	runCancel context.CancelFunc
}

// pythonOptions reads the `runtime.options` of Pulumi.yaml (or PulumiPolicy.yaml/PulumiPlugin.yaml).
func pythonOptions(info *pulumirpc.ProgramInfo, forPlugin bool) (toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Root: info.GetRootDirectory(), ProgramDir: info.GetProgramDirectory()}
	raw := info.GetOptions().AsMap()
	str := func(key string) (string, error) {
		v, ok := raw[key]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("the %q runtime option must be a string", key)
		}
		return s, nil
	}
	venv, err := str("virtualenv")
	if err != nil {
		return opts, err
	}
	opts.Virtualenv = venv
	tc, err := str("toolchain")
	if err != nil {
		return opts, err
	}
	switch tc {
	case "", "pip":
		opts.Toolchain = toolchain.Pip
	case "poetry":
		opts.Toolchain = toolchain.Poetry
	case "uv":
		opts.Toolchain = toolchain.Uv
	default:
		return opts, fmt.Errorf("unsupported toolchain runtime option %q", tc)
	}
	if checker, err := str("typechecker"); err != nil {
		return opts, err
	} else if checker != "" {
		return opts, fmt.Errorf("the typechecker runtime option (%q) is not supported by this language host", checker)
	}
	// Plugins and policy packs never run in the ambient Python: default to a `venv` folder beside them.
	if forPlugin && opts.Toolchain == toolchain.Pip && opts.Virtualenv == "" {
		opts.Virtualenv = "venv"
	}
	return opts, nil
}

func resolve(info *pulumirpc.ProgramInfo, forPlugin bool) (toolchain.Toolchain, error) {
	opts, err := pythonOptions(info, forPlugin)
	if err != nil {
		return nil, err
	}
	return toolchain.ResolveToolchain(opts)
}

// listPluginsScript prints, for every installed distribution that ships a pulumi-plugin.json, the distribution's
// name and version and the file's content. Packages generated by Pulumi's SDK generator all ship one.
const listPluginsScript = `
import importlib.metadata as md, json
found = []
for dist in md.distributions():
    for f in dist.files or ():
        if f.name == "pulumi-plugin.json" and len(f.parts) == 2:
            try:
                found.append({"dist": dist.metadata["Name"], "version": dist.version,
                              "plugin": json.loads(f.read_text())})
            except (OSError, ValueError):
                pass
            break
print(json.dumps(found))
`

type pluginJSON struct {
	Resource         bool   `json:"resource"`
	Name             string `json:"name"`
	Version          string `json:"version"`
	Server           string `json:"server"`
	Parameterization *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Value   []byte `json:"value"` // base64 in the file, as encoding/json expects for []byte
	} `json:"parameterization"`
}

func requiredPackages(ctx context.Context, tc toolchain.Toolchain) ([]*pulumirpc.PackageDependency, error) {
	cmd, err := tc.Command(ctx, "-c", listPluginsScript)
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the Pulumi packages of the Python environment: %w: %s", err, stderr.String())
	}
	var found []struct {
		Dist    string     `json:"dist"`
		Version string     `json:"version"`
		Plugin  pluginJSON `json:"plugin"`
	}
	if err := json.Unmarshal(out, &found); err != nil {
		return nil, fmt.Errorf("reading the list of Pulumi packages: %w", err)
	}
	var deps []*pulumirpc.PackageDependency
	for _, f := range found {
		p := f.Plugin
		if !p.Resource {
			continue
		}
		name := p.Name
		if name == "" {
			name = strings.TrimPrefix(strings.ToLower(f.Dist), "pulumi-")
		}
		v := p.Version
		if v == "" {
			v = f.Version // fine for the X.Y.Z versions Pulumi's packages use
		}
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		dep := &pulumirpc.PackageDependency{Name: name, Kind: string(apitype.ResourcePlugin), Version: v, Server: p.Server}
		if pz := p.Parameterization; pz != nil {
			dep.Parameterization = &pulumirpc.PackageParameterization{Name: pz.Name, Version: pz.Version, Value: pz.Value}
		}
		deps = append(deps, dep)
	}
	return deps, nil
}

func (h *pythonHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	deps, err := requiredPackages(ctx, tc)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

func (h *pythonHost) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	resp, err := h.GetRequiredPackages(ctx, &pulumirpc.GetRequiredPackagesRequest{Info: req.GetInfo()})
	if err != nil {
		return nil, err
	}
	plugins := make([]*pulumirpc.PluginDependency, 0, len(resp.Packages))
	for _, p := range resp.Packages {
		if p.Parameterization != nil {
			continue // parameterized packages cannot be expressed as plain plugins
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// runnerArgs is the runner script's command line for a RunRequest.
func (h *pythonHost) runnerArgs(req *pulumirpc.RunRequest) []string {
	args := []string{filepath.Join(h.binDir, execScript)}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("project", req.GetProject())
	add("root_directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	add("organization", req.GetOrganization())
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	return append(args, req.GetArgs()...)
}

func (h *pythonHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if req.GetAttachDebugger() {
		return nil, status.Error(codes.Unimplemented, "attaching a debugger is not supported by this language host")
	}
	tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	cfg := req.GetConfig()
	if cfg == nil {
		cfg = map[string]string{} // the runner wants an object
	}
	config, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding the stack configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("encoding the secret configuration keys: %w", err)
	}

	// Stop the program when the engine cancels the call or sends Cancel.
	runCtx, cancel := context.WithCancel(h.runCtx)
	defer cancel()
	context.AfterFunc(ctx, cancel)
	cmd, err := tc.Command(runCtx, h.runnerArgs(req)...)
	if err != nil {
		return nil, err
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	logging.V(5).Infof("running the Python program: %s", strings.Join(cmd.Args, " "))

	err = cmd.Run()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	// The engine shows the program's output; make sure all of ours has reached it first.
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if code := exitErr.ExitCode(); code == exitAfterUserMessage {
			return &pulumirpc.RunResponse{Bail: true}, nil
		} else if code > 0 {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", code)}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", exitErr)}, nil
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run the Python program: %v", err)}, nil
}

// RunPlugin starts a plugin written in Python: a policy pack (kind analyzer, through the policy shim) or a
// provider whose folder holds a __main__.py.
func (h *pythonHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	if req.GetAttachDebugger() {
		return status.Error(codes.Unimplemented, "attaching a debugger is not supported by this language host")
	}
	analyzer := req.GetKind() == string(apitype.AnalyzerPlugin)
	tc, err := resolve(req.GetInfo(), !analyzer)
	if err != nil {
		return err
	}
	programDir := req.GetInfo().GetProgramDirectory()

	var cmd *exec.Cmd
	if analyzer {
		// The shim takes the engine address then the pack's folder, and runs in that folder (as Pulumi's own
		// `pulumi-analyzer-policy-python` did); it finds the pack's Python through PULUMI_RUNTIME_VIRTUALENV.
		venv, err := tc.VirtualEnvPath(ctx)
		if err != nil {
			return err
		}
		args := append(append([]string{}, req.GetArgs()...), programDir)
		cmd = exec.CommandContext(ctx, filepath.Join(h.binDir, policyShim), args...)
		cmd.Dir = programDir
		cmd.Env = append(os.Environ(), "PULUMI_RUNTIME_VIRTUALENV="+venv)
	} else {
		if _, err := os.Stat(filepath.Join(programDir, "__main__.py")); err != nil {
			return fmt.Errorf("python plugin in %s: this language host runs plugins that have a __main__.py: %w",
				programDir, err)
		}
		args := append([]string{programDir}, req.GetArgs()...)
		if cmd, err = tc.Command(ctx, args...); err != nil {
			return err
		}
		cmd.Dir = req.GetPwd()
		if cmd.Env == nil {
			cmd.Env = os.Environ()
		}
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	var proxy *sdk.PolicyProxy
	if analyzer {
		// The pack reads its stack's configuration from the environment when it starts, so the engine's
		// ConfigureStack call is taken by a proxy first, then the pack is started with it and attached.
		if proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout); err != nil {
			return fmt.Errorf("starting the policy pack proxy: %w", err)
		}
		config, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("waiting for the stack configuration: %w", err)
		}
		if config != nil {
			set := func(k, v string) {
				if v != "" {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
			}
			set("PULUMI_ORGANIZATION", config.Organization)
			set("PULUMI_PROJECT", config.Project)
			set("PULUMI_STACK", config.Stack)
			set("PULUMI_DRY_RUN", strconv.FormatBool(config.DryRun))
			if config.Config != nil {
				b, err := json.Marshal(config.Config)
				if err != nil {
					return fmt.Errorf("encoding the stack configuration: %w", err)
				}
				set("PULUMI_CONFIG", string(b))
			}
		}
	}
	cmd.Env = append(cmd.Env, req.GetEnv()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	if err := cmd.Start(); err != nil {
		if proxy != nil {
			proxy.Abort(err)
		}
		return fmt.Errorf("starting the Python plugin: %w", err)
	}
	if proxy != nil {
		err = proxy.Attach(ctx, cmd) // returns when the pack exits
	} else {
		err = cmd.Wait()
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
			return server.Send(&pulumirpc.RunPluginResponse{
				Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(ws.ExitStatus())},
			})
		}
	}
	if err != nil {
		return fmt.Errorf("python plugin: %w", err)
	}
	return closer.Close()
}

func (h *pythonHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	ctx := server.Context()
	tc, err := resolve(req.GetInfo(), req.GetIsPlugin())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	dir := req.GetInfo().GetProgramDirectory()
	useVersionTools := req.GetUseLanguageVersionTools()
	if err := tc.InstallDependencies(ctx, dir, useVersionTools, true, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

func (h *pythonHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *pythonHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
		Metadata:   map[string]string{"toolchain-version": info.ToolchainVersion.String()},
	}, nil
}

func (h *pythonHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	pkgs, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	deps := make([]*pulumirpc.DependencyInfo, len(pkgs))
	for i, p := range pkgs {
		deps[i] = &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *pythonHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *pythonHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *pythonHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.runCancel()
	return &emptypb.Empty{}, nil
}
