package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/upkg/upkg/internal/testharness/fixture"
)

// A profile is a generated project: the packages it publishes (planned
// up front, generated one at a time while publishing) and how far away its
// registry is.
type profile struct {
	// name is what -profile calls it: small, unity or bigtarball.
	name string
	// title heads its table: the shape in a few words.
	title string
	// latency holds back every registry response (unless -latency says
	// otherwise): the unity profile's registry is across a network.
	latency time.Duration
	// packages in publish order: a package's dependencies come before it.
	packages []pkgSpec
}

// pkgSpec is one planned package. Its files are generated from seed when
// it is published, so a plan is cheap and equal seeds give equal bytes.
type pkgSpec struct {
	name string
	deps []string
	// kind selects the generator: "scripts" (the small profile's package
	// of C# scripts), "assets" (a Unity package of scripts, shaders,
	// prefabs, textures and meshes), "plugin" (a native plugin: one big
	// binary and a few scripts) or "blobs" (big incompressible files only).
	kind string
	// files is the number of files to write, package.json and every .meta
	// file included (for "scripts", the files fixture.UnityFiles writes).
	files int
	// binaries are the sizes of the incompressible files (textures,
	// meshes, plugin binaries), in bytes; text files come on top.
	binaries []int64
	seed     uint64
}

// profileNames are the profiles -profile knows, in the order they are described.
var profileNames = []string{"small", "unity", "bigtarball"}

// newProfile plans the profile called name. files and n shape the small one.
func newProfile(name string, n, files int) (*profile, error) {
	switch name {
	case "small":
		return smallProfile(n, files), nil
	case "unity":
		return unityProfile(14), nil
	case "bigtarball":
		return bigTarballProfile(), nil
	}
	return nil, fmt.Errorf("unknown profile %q (want one of %s)", name, strings.Join(profileNames, ", "))
}

// smallProfile is the benchmark's first shape: n packages of files small
// files each (C# scripts and their .meta files), each depending on up to
// three earlier ones, on a registry with no latency.
func smallProfile(n, files int) *profile {
	p := &profile{name: "small", title: fmt.Sprintf("small: %d packages × %d files", n, files)}
	for i := 0; i < n; i++ {
		s := pkgSpec{name: fmt.Sprintf("com.bench.pkg%03d", i), kind: "scripts", files: files}
		for k := 1; k <= 3 && i-k*7 >= 0; k++ {
			s.deps = append(s.deps, fmt.Sprintf("com.bench.pkg%03d", i-k*7))
		}
		p.packages = append(p.packages, s)
	}
	return p
}

const (
	kB = 1000
	mB = 1000 * kB
)

// unityProfile plans 59 packages shaped like a Unity project's (see the
// package comment for where the shapes come from), from seed:
//
//   - 52 small packages of 10–150 files (log-uniform), every asset and
//     folder with its .meta; text files log-normal around 3 kB; two in five
//     carry 1–4 textures or meshes of 100 kB–2 MB (log-uniform);
//   - 4 large packages like the render pipelines: a core of 2 000 files /
//     12 MB, a shader graph of 2 500 / 16 MB, a universal pipeline of 3 500 /
//     24 MB and a high-definition one of 5 000 files / 40 MB, about 60 % of
//     their bytes in binary assets;
//   - 3 native plugins, each a single binary of 24, 38 or 56 MB plus a few
//     scripts.
//
// Binary files are random bytes, which gzip cannot shrink (real textures
// and libraries compress a little; this is the worst case for the tarballs).
func unityProfile(seed uint64) *profile {
	rng := rand.New(rand.NewPCG(seed, 0x756e697479))
	p := &profile{name: "unity", latency: 50 * time.Millisecond}
	const (
		core   = "com.unitybench.render-pipelines.core"
		graph  = "com.unitybench.shadergraph"
		urp    = "com.unitybench.render-pipelines.universal"
		hdrp   = "com.unitybench.render-pipelines.high-definition"
		nSmall = 52
	)
	large := []struct {
		name  string
		files int
		bytes int64
		deps  []string
	}{
		{core, 2000, 12 * mB, nil},
		{graph, 2500, 16 * mB, []string{core}},
		{urp, 3500, 24 * mB, []string{core, graph}},
		{hdrp, 5000, 40 * mB, []string{core, graph}},
	}
	for _, l := range large {
		// About 60 % of a render pipeline's bytes are binary assets
		// (textures, lookup tables, meshes) of 100 kB–2 MB.
		p.packages = append(p.packages, pkgSpec{name: l.name, deps: l.deps, kind: "assets", files: l.files,
			binaries: fill(rng, l.bytes*6/10, 100*kB, 2*mB), seed: rng.Uint64()})
	}
	for i := 0; i < nSmall; i++ {
		s := pkgSpec{name: fmt.Sprintf("com.unitybench.pkg%02d", i), kind: "assets",
			files: int(logUniform(rng, 10, 150)), seed: rng.Uint64()}
		if rng.IntN(5) < 2 {
			for k := 1 + rng.IntN(4); k > 0; k-- {
				s.binaries = append(s.binaries, int64(logUniform(rng, 100*kB, 2*mB)))
			}
		}
		// Room for the binaries, their folders, README and CHANGELOG.
		s.files = max(s.files, 2*len(s.binaries)+10)
		// Most packages stand alone; some use a neighbour or the core.
		switch rng.IntN(4) {
		case 0:
			s.deps = []string{core}
		case 1:
			if i > 0 {
				s.deps = []string{fmt.Sprintf("com.unitybench.pkg%02d", rng.IntN(i))}
			}
		}
		p.packages = append(p.packages, s)
	}
	for i, size := range []int64{24 * mB, 38 * mB, 56 * mB} {
		p.packages = append(p.packages, pkgSpec{name: fmt.Sprintf("com.unitybench.plugin%d", i), kind: "plugin",
			files: 12, binaries: []int64{size}, seed: rng.Uint64()})
	}
	files, bytes := 0, int64(0)
	for _, s := range p.packages {
		files += s.files
		for _, b := range s.binaries {
			bytes += b
		}
	}
	p.title = fmt.Sprintf("unity: %d packages, %d files, %.0f MB of binaries, 50 ms away", len(p.packages), files, float64(bytes)/mB)
	return p
}

// bigTarballProfile is one package whose tarball is about 200 MB: four
// incompressible files of 50 MB (the memory test of issue 14: installing
// it must not hold the tarball in memory).
func bigTarballProfile() *profile {
	return &profile{name: "bigtarball", title: "bigtarball: 1 package, 4 × 50 MB incompressible files", packages: []pkgSpec{{
		name: "com.bench.big", kind: "blobs", files: 5,
		binaries: []int64{50 * mB, 50 * mB, 50 * mB, 50 * mB}, seed: 200,
	}}}
}

// fill returns sizes, log-uniform in [lo, hi], adding up to about total.
func fill(rng *rand.Rand, total, lo, hi int64) []int64 {
	var sizes []int64
	for total > lo {
		s := min(int64(logUniform(rng, float64(lo), float64(hi))), total)
		sizes = append(sizes, s)
		total -= s
	}
	return sizes
}

func logUniform(rng *rand.Rand, lo, hi float64) float64 {
	return math.Exp(math.Log(lo) + rng.Float64()*(math.Log(hi)-math.Log(lo)))
}

// logNormal draws a size around median, with sigma the spread of its
// logarithm, clamped to [lo, hi].
func logNormal(rng *rand.Rand, median, sigma float64, lo, hi int) int {
	return min(max(int(median*math.Exp(sigma*rng.NormFloat64())), lo), hi)
}

// generate returns the package.json and files of s.
func (s pkgSpec) generate() (map[string]any, map[string][]byte) {
	deps := map[string]string{}
	for _, d := range s.deps {
		deps[d] = "1.0.0"
	}
	pj := fixture.UnityManifest(s.name, "1.0.0", "2021.3", deps)
	if s.kind == "scripts" {
		// UnityFiles writes 2 files per script plus 5 fixed ones.
		return pj, fixture.UnityFiles(s.name, max(1, (s.files-5)/2))
	}
	g := &generator{rng: rand.New(rand.NewPCG(s.seed, 1)), pkg: s.name, files: map[string][]byte{}, folders: map[string]bool{}}
	switch s.kind {
	case "plugin":
		g.asset("Runtime/Plugins/x86_64/lib"+lastPart(s.name)+".so", g.binary(s.binaries[0]), pluginMeta)
	case "blobs":
		for i, b := range s.binaries {
			g.files[fmt.Sprintf("Data/blob%d.bin", i)] = g.binary(b)
		}
		return pj, g.files
	default:
		for i, b := range s.binaries {
			if i%3 == 2 {
				g.asset(fmt.Sprintf("Runtime/Meshes/Mesh%03d.fbx", i), g.binary(b), modelMeta)
			} else {
				g.asset(fmt.Sprintf("Runtime/Textures/Texture%03d.png", i), g.binary(b), textureMeta)
			}
		}
	}
	g.asset("README.md", g.text(logNormal(g.rng, 2*kB, 0.5, 200, 20*kB)), fixture.DefaultImporter)
	g.asset("CHANGELOG.md", g.text(logNormal(g.rng, 4*kB, 1, 200, 100*kB)), fixture.DefaultImporter)
	// Text assets (scripts, shaders, prefabs, materials) until the count
	// is reached: each is two files (the asset and its .meta), plus a
	// .meta for every new folder; package.json is one more.
	folders := []string{"Runtime", "Editor", "Runtime/Shaders", "Runtime/Materials", "Runtime/Prefabs", "Tests/Runtime", "Tests/Editor"}
	for i := 0; ; i++ {
		left := s.files - 1 - len(g.files)
		if left < 2 {
			break
		}
		dir := folders[g.rng.IntN(len(folders))]
		if s.files > 500 {
			// Large packages nest: up to 40 subfolders per folder.
			dir = fmt.Sprintf("%s/Part%02d", dir, g.rng.IntN(40))
		}
		if 2+g.newFolders(dir) > left {
			dir = "."
		}
		ext, importer := ".cs", monoMeta
		switch {
		case strings.Contains(dir, "Shaders"):
			ext, importer = ".shader", shaderMeta
		case strings.Contains(dir, "Materials"):
			ext, importer = ".mat", fixture.DefaultImporter
		case strings.Contains(dir, "Prefabs"):
			ext, importer = ".prefab", fixture.DefaultImporter
		}
		g.asset(path.Join(dir, fmt.Sprintf("Asset%04d%s", i, ext)), g.text(logNormal(g.rng, 3*kB, 1, 100, 200*kB)), importer)
	}
	return pj, g.files
}

func lastPart(name string) string { return name[strings.LastIndex(name, ".")+1:] }

// generator writes one package's files: each asset with its .meta, each
// folder's .meta once.
type generator struct {
	rng     *rand.Rand
	pkg     string
	files   map[string][]byte
	folders map[string]bool
}

// newFolders counts the folders of dir (itself and its parents) that have
// no .meta yet.
func (g *generator) newFolders(dir string) int {
	n := 0
	for ; dir != "." && !g.folders[dir]; dir = path.Dir(dir) {
		n++
	}
	return n
}

func (g *generator) asset(p string, data []byte, importer string) {
	for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
		if g.folders[dir] {
			break
		}
		g.folders[dir] = true
		g.files[dir+".meta"] = fixture.Meta(g.pkg+"/"+dir, "folderAsset: yes\n"+fixture.DefaultImporter)
	}
	g.files[p] = data
	g.files[p+".meta"] = fixture.Meta(g.pkg+"/"+p, importer)
}

// binary is n random bytes: a texture, mesh or library that gzip cannot shrink.
func (g *generator) binary(n int64) []byte {
	b := make([]byte, n)
	var seed [32]byte
	for i := range seed {
		seed[i] = byte(g.rng.Uint32())
	}
	rand.NewChaCha8(seed).Read(b)
	return b
}

// text is n bytes of source-like text (words from a small vocabulary in
// lines), which gzip shrinks about as much as it does real C# or shaders.
func (g *generator) text(n int) []byte {
	var b strings.Builder
	b.Grow(n + 64)
	for b.Len() < n {
		b.WriteString(strings.Repeat("    ", g.rng.IntN(4)))
		for w := 2 + g.rng.IntN(8); w > 0; w-- {
			b.WriteString(vocabulary[g.rng.IntN(len(vocabulary))])
			b.WriteByte(' ')
		}
		b.WriteString(fmt.Sprintf("%d;\n", g.rng.IntN(1000)))
	}
	return []byte(b.String()[:n])
}

var vocabulary = func() []string {
	words := strings.Fields(`public private static void float half float3 float4 int bool var return if else for
		foreach using namespace class struct new null this base override virtual sealed readonly const
		SerializeField MonoBehaviour ScriptableObject GameObject Transform Vector3 Quaternion Color
		Texture2D RenderTexture CommandBuffer Shader Material Mesh Camera Light Pass SubShader Tags
		HLSLPROGRAM ENDHLSL TEXTURE2D SAMPLER sampler_LinearClamp _MainTex _BaseColor _Time saturate
		lerp dot normalize mul UNITY_MATRIX_VP positionWS normalWS uv0 frag vert Varyings Attributes
		= == + - * / ( ) { } [ ] < > , . m_Name m_Script fileID guid type: 0 1 2 3 4 5 6 7 8 9`)
	sort.Strings(words)
	return words
}()

// The importer sections of .meta files, as Unity writes them for each kind
// of asset (the fields that matter for size; a texture's is long).
const (
	monoMeta   = "MonoImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  defaultReferences: []\n  executionOrder: 0\n  icon: {instanceID: 0}\n  userData: \n  assetBundleName: \n  assetBundleVariant: \n"
	shaderMeta = "ShaderImporter:\n  externalObjects: {}\n  defaultTextures: []\n  nonModifiableTextures: []\n  userData: \n  assetBundleName: \n  assetBundleVariant: \n"
	pluginMeta = "PluginImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  iconMap: {}\n  executionOrder: {}\n  defineConstraints: []\n  isPreloaded: 0\n  isOverridable: 1\n  isExplicitlyReferenced: 0\n  validateReferences: 1\n  platformData:\n  - first:\n      Standalone: Linux64\n    second:\n      enabled: 1\n      settings:\n        CPU: x86_64\n  userData: \n  assetBundleName: \n  assetBundleVariant: \n"
	modelMeta  = "ModelImporter:\n  serializedVersion: 22200\n  internalIDToNameTable: []\n  externalObjects: {}\n  materials:\n    materialImportMode: 2\n    materialName: 0\n    materialSearch: 1\n    materialLocation: 1\n  animations:\n    legacyGenerateAnimations: 4\n    bakeSimulation: 0\n    resampleCurves: 1\n    optimizeGameObjects: 0\n    removeConstantScaleCurves: 0\n    motionNodeName: \n    animationImportErrors: \n    animationImportWarnings: \n    animationRetargetingWarnings: \n    animationDoRetargetingWarnings: 0\n    importAnimatedCustomProperties: 0\n    importConstraints: 0\n    animationCompression: 1\n    animationRotationError: 0.5\n    animationPositionError: 0.5\n    animationScaleError: 0.5\n    animationWrapMode: 0\n    extraExposedTransformPaths: []\n    extraUserProperties: []\n    clipAnimations: []\n    isReadable: 0\n  meshes:\n    lODScreenPercentages: []\n    globalScale: 1\n    meshCompression: 0\n    addColliders: 0\n  userData: \n  assetBundleName: \n  assetBundleVariant: \n"
)

// textureMeta is a TextureImporter section with one platform setting per
// build target, which is what makes texture .meta files 2–3 kB.
var textureMeta = "TextureImporter:\n  internalIDToNameTable: []\n  externalObjects: {}\n  serializedVersion: 12\n  mipmaps:\n    mipMapMode: 0\n    enableMipMap: 1\n    sRGBTexture: 1\n    linearTexture: 0\n    fadeOut: 0\n    borderMipMap: 0\n    mipMapsPreserveCoverage: 0\n    alphaTestReferenceValue: 0.5\n    mipMapFadeDistanceStart: 1\n    mipMapFadeDistanceEnd: 3\n  bumpmap:\n    convertToNormalMap: 0\n    externalNormalMap: 0\n    heightScale: 0.25\n    normalMapFilter: 0\n  isReadable: 0\n  streamingMipmaps: 0\n  streamingMipmapsPriority: 0\n  grayScaleToAlpha: 0\n  generateCubemap: 6\n  cubemapConvolution: 0\n  seamlessCubemap: 0\n  textureFormat: 1\n  maxTextureSize: 2048\n  textureSettings:\n    serializedVersion: 2\n    filterMode: 1\n    aniso: 1\n    mipBias: 0\n    wrapU: 0\n    wrapV: 0\n    wrapW: 0\n  nPOTScale: 1\n  lightmap: 0\n  compressionQuality: 50\n  spriteMode: 0\n  alphaUsage: 1\n  alphaIsTransparency: 0\n  textureType: 0\n  textureShape: 1\n  platformSettings:\n" + func() string {
	var b strings.Builder
	for _, t := range []string{"DefaultTexturePlatform", "Standalone", "Android", "iPhone", "WebGL", "Server"} {
		fmt.Fprintf(&b, "  - serializedVersion: 3\n    buildTarget: %s\n    maxTextureSize: 2048\n    resizeAlgorithm: 0\n    textureFormat: -1\n    textureCompression: 1\n    compressionQuality: 50\n    crunchedCompression: 0\n    allowsAlphaSplitting: 0\n    overridden: 0\n    androidETC2FallbackOverride: 0\n    forceMaximumCompressionQuality_BC6H_BC7: 0\n", t)
	}
	return b.String()
}() + "  userData: \n  assetBundleName: \n  assetBundleVariant: \n"
