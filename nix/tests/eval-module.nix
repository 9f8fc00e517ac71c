# Evaluates nix/module.nix without nixpkgs: a minimal stand-in of the NixOS module system
# (mkOption keeps its default, mkIf/mkMerge resolve eagerly, types are tags) is enough to
# catch misspelt attributes, wrong references and bad string building, and to read back the
# units and services the module sets. nixpkgs' lib.evalModules is not reachable here (no
# network), so option types, merging priorities and the real NixOS services' options are NOT
# checked. Used by packages/stack/src/nix/nix.test.ts:
#   nix-instantiate --eval --strict --json nix/tests/eval-module.nix \
#     --argstr observability self-hosted --argstr generatedDir "$PWD/packages/stack/generated/stack-self-hosted"
{
  observability ? "",
  generatedDir,
}:

let
  b = builtins;
  recursiveUpdate =
    l: r:
    l
    // b.mapAttrs (n: v: if b.isAttrs v && l ? ${n} && b.isAttrs l.${n} then recursiveUpdate l.${n} v else v) r;
  escapeShellArg = a: "'${b.replaceStrings [ "'" ] [ "'\\''" ] (toString a)}'";
  lib = {
    mkOption = o: o // { _type = "option"; };
    mkEnableOption = d: {
      _type = "option";
      default = false;
      description = "Whether to enable ${d}.";
    };
    mkIf = cond: v: if cond then v else { };
    mkMerge = b.foldl' recursiveUpdate { };
    types = {
      str = "str";
      bool = "bool";
      path = "path";
      package = "package";
      listOf = t: { listOf = t; };
      attrsOf = t: { attrsOf = t; };
      submodule = m: { submodule = m; };
      nullOr = t: { nullOr = t; };
      enum = vs: { enum = vs; };
    };
    hasPrefix = p: s: b.substring 0 (b.stringLength p) s == p;
    removePrefix =
      p: s:
      if b.substring 0 (b.stringLength p) s == p then
        b.substring (b.stringLength p) (b.stringLength s) s
      else
        s;
    escapeShellArgs = args: b.concatStringsSep " " (map escapeShellArg args);
    mapAttrs' = f: s: b.listToAttrs (map (n: f n s.${n}) (b.attrNames s));
    nameValuePair = name: value: { inherit name value; };
    concatMap = f: l: b.concatLists (map f l);
    optionalAttrs = c: s: if c then s else { };
  };

  # Every option's default, as the module system would fill them in; values of an
  # attrsOf submodule option get the submodule's defaults.
  defaultsOf =
    o:
    if o ? _type then
      (if o ? default then o.default else null)
    else
      b.mapAttrs (n: defaultsOf) o;
  resolve =
    o: v:
    if o ? _type then
      (
        if o ? type && b.isAttrs o.type && o.type ? attrsOf && b.isAttrs o.type.attrsOf && o.type.attrsOf ? submodule then
          b.mapAttrs (n: x: recursiveUpdate (defaultsOf o.type.attrsOf.submodule.options) x) v
        else
          v
      )
    else
      b.mapAttrs (n: x: if o ? ${n} then resolve o.${n} x else x) v;

  package = {
    type = "derivation";
    outPath = "/nix/store/00000000000000000000000000000000-canopy";
  };
  given = {
    enable = true;
    inherit package;
    observability = if observability == "" then null else observability;
    stack = {
      inherit generatedDir;
      grafanaCloudTokenFile = "/run/keys/grafana-cloud-token";
      environmentFile = "/run/keys/canopy-alloy.env";
    };
  };

  m = import ../module.nix {
    inherit lib config;
    pkgs = { };
  };
  config.services.canopy = resolve m.options.services.canopy (
    recursiveUpdate (defaultsOf m.options.services.canopy) given
  );
in
{
  failedAssertions = map (a: a.message) (b.filter (a: !a.assertion) m.config.assertions);
  units = b.mapAttrs (n: u: {
    execStart = u.serviceConfig.ExecStart or null;
    dynamicUser = u.serviceConfig.DynamicUser or null;
    protectSystem = u.serviceConfig.ProtectSystem or null;
    stateDirectory = u.serviceConfig.StateDirectory or null;
    serviceConfig = u.serviceConfig;
  }) m.config.systemd.services;
  services = b.removeAttrs (m.config.services or { }) [ ];
  etc = m.config.environment.etc or { };
}
