package dashboard

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) notYet(c *gin.Context) { s.fail(c, http.StatusNotFound, "dash.notfound") }

func (s *Server) mapPage(c *gin.Context)    { s.notYet(c) }
func (s *Server) sqlPage(c *gin.Context)    { s.notYet(c) }
func (s *Server) apiGeoJSON(c *gin.Context) { s.notYet(c) }
