# NixOS module of Canopy: the reference services (relay, replay, storage) as hardened systemd
# units, and `observability` wiring one of the two stacks from the files `canopy gen --stack`
# writes (checked in under packages/stack/generated/stack-<name>/):
#
#   "self-hosted" (stack B): VictoriaMetrics scraping with the generated scrape config, vmalert
#     on the generated rules, Alertmanager on the generated config, node_exporter, Grafana with
#     the generated data sources and dashboards, Loki, and Alloy shipping journald to Loki.
#   "managed" (stack A): node_exporter and Alloy sending metrics, logs and traces to Grafana
#     Cloud (endpoints from an environment file, the token from a credential file).
#
# Usage (flake or configuration.nix):
#   imports = [ ./canopy/nix/module.nix ];
#   services.canopy = { enable = true; package = canopy; observability = "self-hosted"; };
# See docs/stacks.md.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  inherit (lib)
    mkOption
    mkEnableOption
    mkIf
    mkMerge
    types
    ;

  cfg = config.services.canopy;
  obs = cfg.observability;
  gen = cfg.stack.generatedDir;

  # The systemd sandbox every Canopy unit runs in: no fixed user, a read-only system, no new
  # privileges, IPv4/IPv6/Unix sockets only, the @system-service syscall set. Node's JIT needs
  # writable+executable memory, so MemoryDenyWriteExecute stays off.
  hardening = {
    DynamicUser = true;
    ProtectSystem = "strict";
    ProtectHome = true;
    PrivateTmp = true;
    PrivateDevices = true;
    NoNewPrivileges = true;
    ProtectKernelTunables = true;
    ProtectKernelModules = true;
    ProtectKernelLogs = true;
    ProtectControlGroups = true;
    ProtectClock = true;
    ProtectHostname = true;
    ProtectProc = "invisible";
    ProcSubset = "pid";
    RestrictAddressFamilies = [
      "AF_INET"
      "AF_INET6"
      "AF_UNIX"
    ];
    RestrictNamespaces = true;
    RestrictRealtime = true;
    RestrictSUIDSGID = true;
    LockPersonality = true;
    MemoryDenyWriteExecute = false;
    SystemCallArchitectures = "native";
    SystemCallFilter = [
      "@system-service"
      "~@privileged"
      "~@resources"
    ];
    CapabilityBoundingSet = "";
    AmbientCapabilities = "";
    UMask = "0077";
    Restart = "on-failure";
    RestartSec = "2s";
  };

  unit = description: args: extra: {
    inherit description;
    wantedBy = [ "multi-user.target" ];
    after = [ "network-online.target" ];
    wants = [ "network-online.target" ];
    serviceConfig =
      hardening
      // {
        ExecStart = "${cfg.package}/bin/canopy ${lib.escapeShellArgs args}";
      }
      // extra;
  };

  common = {
    listen = mkOption {
      type = types.str;
      description = "HOST:PORT the service listens on.";
    };
    metrics = mkOption {
      type = types.str;
      description = "HOST:PORT of its /metrics (must match the scrape targets of canopy.yaml).";
    };
    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Extra command-line arguments.";
    };
  };

  relayModule = {
    options = common // {
      peerRelays = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "ws:// URLs of relays to link with.";
      };
    };
  };

  # Loki as one process on loopback, data under /var/lib/loki.
  lokiConfig = {
    auth_enabled = false;
    server = {
      http_listen_address = "127.0.0.1";
      http_listen_port = 3100;
      grpc_listen_address = "127.0.0.1";
    };
    common = {
      path_prefix = "/var/lib/loki";
      replication_factor = 1;
      ring.kvstore.store = "inmemory";
      storage.filesystem = {
        chunks_directory = "/var/lib/loki/chunks";
        rules_directory = "/var/lib/loki/rules";
      };
    };
    schema_config.configs = [
      {
        from = "2024-01-01";
        store = "tsdb";
        object_store = "filesystem";
        schema = "v13";
        index = {
          prefix = "index_";
          period = "24h";
        };
      }
    ];
    limits_config.retention_period = cfg.stack.logRetention;
    compactor = {
      working_directory = "/var/lib/loki/compactor";
      retention_enabled = true;
      delete_request_store = "filesystem";
    };
  };

  # Alertmanager reads its template relative to its config file; NixOS writes the config alone.
  alertmanagerYaml =
    builtins.replaceStrings [ "  - canopy.tmpl" ] [ "  - ${gen}/alertmanager/canopy.tmpl" ]
      (builtins.readFile "${gen}/alertmanager/alertmanager.yml");
in
{
  options.services.canopy = {
    enable = mkEnableOption "the Canopy reference services (relay, replay, storage)";

    package = mkOption {
      type = types.package;
      description = "The Canopy package: a derivation with bin/canopy.";
    };

    relays = mkOption {
      type = types.attrsOf (types.submodule relayModule);
      default = {
        a = {
          listen = "127.0.0.1:7000";
          metrics = "127.0.0.1:7100";
          peerRelays = [ "ws://127.0.0.1:7001" ];
        };
        b = {
          listen = "127.0.0.1:7001";
          metrics = "127.0.0.1:7101";
          peerRelays = [ "ws://127.0.0.1:7000" ];
        };
      };
      description = "Relays, one unit each (canopy-relay-<name>); the default is `canopy up`'s pair.";
    };

    replay = common // {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Run the replay service (canopy-replay).";
      };
      listen = common.listen // {
        default = "127.0.0.1:7002";
      };
      metrics = common.metrics // {
        default = "127.0.0.1:7102";
      };
      relay = mkOption {
        type = types.str;
        default = "ws://127.0.0.1:7000";
        description = "The relay it syncs through.";
      };
      storage = mkOption {
        type = types.str;
        default = "http://127.0.0.1:7003";
        description = "The storage service it writes to.";
      };
    };

    storage = common // {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Run the storage service (canopy-storage).";
      };
      listen = common.listen // {
        default = "127.0.0.1:7003";
      };
      metrics = common.metrics // {
        default = "127.0.0.1:7103";
      };
      dataDir = mkOption {
        type = types.str;
        default = "/var/lib/canopy-storage";
        description = "Folder of the SQLite event store; must be under /var/lib (a systemd StateDirectory).";
      };
      replay = mkOption {
        type = types.str;
        default = "http://127.0.0.1:7002";
        description = "The replay service it notifies.";
      };
    };

    observability = mkOption {
      type = types.nullOr (
        types.enum [
          "self-hosted"
          "managed"
        ]
      );
      default = null;
      description = ''
        Which observability stack to run on this host: "self-hosted" (stack B:
        VictoriaMetrics, vmalert, Alertmanager, node_exporter, Grafana, Loki, Alloy for logs),
        "managed" (stack A: Alloy to Grafana Cloud, node_exporter), or null for none.
      '';
    };

    stack = {
      generatedDir = mkOption {
        type = types.path;
        default = ../packages/stack/generated + "/stack-${if obs == null then "self-hosted" else obs}";
        description = "The folder `canopy gen --stack <observability> --out DIR` wrote.";
      };
      retention = mkOption {
        type = types.str;
        default = "90d";
        description = "How long VictoriaMetrics keeps samples (stack B).";
      };
      logRetention = mkOption {
        type = types.str;
        default = "744h";
        description = "How long Loki keeps logs (stack B).";
      };
      grafanaCloudTokenFile = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Stack A: file with the Grafana Cloud access policy token (passed as a systemd credential).";
      };
      environmentFile = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Stack A: file setting CANOPY_PROM_REMOTE_WRITE_URL, CANOPY_PROM_USER, CANOPY_LOKI_PUSH_URL, CANOPY_LOKI_USER, CANOPY_TEMPO_ENDPOINT, CANOPY_TEMPO_USER.";
      };
    };
  };

  config = mkIf cfg.enable (mkMerge [
    {
      assertions = [
        {
          assertion = lib.hasPrefix "/var/lib/" cfg.storage.dataDir;
          message = "services.canopy.storage.dataDir must be under /var/lib/ (got ${cfg.storage.dataDir}).";
        }
        {
          assertion =
            obs != "managed" || (cfg.stack.grafanaCloudTokenFile != null && cfg.stack.environmentFile != null);
          message = "services.canopy.observability = \"managed\" needs stack.grafanaCloudTokenFile and stack.environmentFile.";
        }
      ];

      systemd.services =
        lib.mapAttrs' (
          name: r:
          lib.nameValuePair "canopy-relay-${name}" (
            unit "Canopy relay ${name}" (
              [
                "relay"
                "--listen"
                r.listen
                "--metrics"
                r.metrics
              ]
              ++ lib.concatMap (p: [
                "--peer-relay"
                p
              ]) r.peerRelays
              ++ r.extraArgs
            ) { }
          )
        ) cfg.relays
        // lib.optionalAttrs cfg.replay.enable {
          canopy-replay = unit "Canopy replay" (
            [
              "replay"
              "--relay"
              cfg.replay.relay
              "--storage"
              cfg.replay.storage
              "--listen"
              cfg.replay.listen
              "--metrics"
              cfg.replay.metrics
            ]
            ++ cfg.replay.extraArgs
          ) { };
        }
        // lib.optionalAttrs cfg.storage.enable {
          canopy-storage =
            unit "Canopy storage"
              (
                [
                  "storage"
                  "--listen"
                  cfg.storage.listen
                  "--metrics"
                  cfg.storage.metrics
                  "--db"
                  "${cfg.storage.dataDir}/storage.sqlite"
                  "--replay"
                  cfg.storage.replay
                ]
                ++ cfg.storage.extraArgs
              )
              {
                StateDirectory = lib.removePrefix "/var/lib/" cfg.storage.dataDir;
                StateDirectoryMode = "0700";
              };
        };
    }

    (mkIf (obs != null) {
      services.prometheus.exporters.node = {
        enable = true;
        listenAddress = "127.0.0.1";
        port = 9100;
      };
    })

    (mkIf (obs == "self-hosted") {
      services.victoriametrics = {
        enable = true;
        listenAddress = "127.0.0.1:8428";
        retentionPeriod = cfg.stack.retention;
        extraOptions = [ "-promscrape.config=${gen}/vmagent/scrape.yml" ];
      };

      services.vmalert.instances.canopy = {
        enable = true;
        settings = {
          "datasource.url" = "http://127.0.0.1:8428";
          "remoteWrite.url" = "http://127.0.0.1:8428";
          "remoteRead.url" = "http://127.0.0.1:8428";
          "notifier.url" = [ "http://127.0.0.1:9093" ];
          "external.url" = "http://127.0.0.1:3000";
          rule = [ "${gen}/rules/canopy.rules.yml" ];
        };
      };

      services.prometheus.alertmanager = {
        enable = true;
        listenAddress = "127.0.0.1";
        port = 9093;
        configText = alertmanagerYaml;
      };

      services.grafana = {
        enable = true;
        settings.server = {
          http_addr = "127.0.0.1";
          http_port = 3000;
        };
        provision = {
          enable = true;
          datasources.path = "${gen}/grafana/provisioning/datasources/canopy.yaml";
          dashboards.path = "${gen}/grafana/provisioning/dashboards/canopy.yaml";
        };
      };
      # The dashboards provider reads this folder.
      environment.etc."canopy/grafana/dashboards".source = "${gen}/grafana/dashboards";

      services.loki = {
        enable = true;
        configuration = lokiConfig;
      };

      services.alloy = {
        enable = true;
        configPath = "${gen}/alloy/logs.alloy";
      };
      systemd.services.alloy.serviceConfig.SupplementaryGroups = [ "systemd-journal" ];
    })

    (mkIf (obs == "managed") {
      services.alloy = {
        enable = true;
        configPath = "${gen}/alloy/config.alloy";
      };
      systemd.services.alloy.serviceConfig = {
        SupplementaryGroups = [ "systemd-journal" ];
        EnvironmentFile = cfg.stack.environmentFile;
        # Lands at /run/credentials/alloy.service/grafana-cloud-token, where config.alloy reads it.
        LoadCredential = [ "grafana-cloud-token:${toString cfg.stack.grafanaCloudTokenFile}" ];
      };
    })
  ]);
}
