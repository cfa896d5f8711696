package cache

import "testing"

func TestGitRecords(t *testing.T) {
	s := testStore(t)
	if _, _, ok := s.GitLookup("https://git.example.com/r.git", "0123456789abcdef0123456789abcdef01234567", "sub"); ok {
		t.Fatal("a record in an empty store")
	}
	rec := GitRecord{Repo: "https://git.example.com/r.git", Commit: "0123456789abcdef0123456789abcdef01234567", Path: "sub",
		Integrity: "sha512-" + "AAAA", PackageJSON: []byte(`{"name": "com.example.g", "version": "1.0.0"}`)}
	if err := s.GitRecordSet("https://token@git.example.com/r.git", rec); err != nil {
		t.Fatal(err)
	}
	// The entry the record names is not in the store: no hit.
	if _, _, ok := s.GitLookup("https://token@git.example.com/r.git", rec.Commit, "sub"); ok {
		t.Error("a record whose entry is missing was found")
	}
}
